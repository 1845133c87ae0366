"""The C kernel behind the sharpness (livecheck/_edges.c) against its plain NumPy reference."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from support import edges_reference as reference

from livecheck.fastchecks import EDGE_COARSE_SIGMA as _SHARP_COARSE_SIGMA
from livecheck.kernels import edge_energy


def _image(kind: str, shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    h, w = shape
    if kind == "noise":
        return rng.integers(0, 256, shape, dtype=np.uint8)
    if kind == "scene":  # edges in every direction, blurred a little, with mild noise
        img = np.full(shape, 90, np.uint8)
        cv2.rectangle(img, (w // 8, h // 8), (w // 2, h // 2), 200, -1)
        cv2.circle(img, (3 * w // 4, h // 2), max(1, min(h, w) // 4), 30, -1)
        cv2.line(img, (0, h - 1), (w - 1, h // 3), 250, max(1, w // 60))
        img = cv2.GaussianBlur(img, (0, 0), 0.8)
        return np.clip(img + rng.normal(0, 2, shape), 0, 255).astype(np.uint8)
    if kind == "flat":
        return np.full(shape, 128, np.uint8)
    raise ValueError(kind)


def _kernel(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    fine = grey.astype(np.float32)
    coarse = cv2.GaussianBlur(fine, (0, 0), _SHARP_COARSE_SIGMA)
    sums, texture = np.empty((3, 4)), np.empty(grey.shape, np.float32)
    edge_energy(fine, coarse, sums, texture)
    return sums, texture, coarse


@pytest.mark.parametrize("kind", ["noise", "scene", "flat"])
@pytest.mark.parametrize("shape", [(144, 256), (192, 256), (37, 53), (2, 2), (1, 9), (9, 1), (1, 1)])
def test_kernel_matches_the_reference(kind: str, shape: tuple[int, int]) -> None:
    grey = _image(kind, shape)
    sums, texture, coarse = _kernel(grey)
    expected_sums, expected_texture = reference.edge_energy(grey, coarse)
    np.testing.assert_allclose(sums, expected_sums, rtol=1e-5, atol=1e-6 * max(1.0, expected_sums.max()))
    np.testing.assert_array_equal(texture, expected_texture)


@pytest.mark.parametrize("kind", ["noise", "scene", "flat"])
@pytest.mark.parametrize("shape", [(64, 64), (37, 53), (2, 2), (1, 9), (9, 1)])
@pytest.mark.parametrize("reach", [0, 1, 6, 40])
def test_the_acuity_sums_match_the_reference(kind: str, shape: tuple[int, int], reach: int) -> None:
    grey = _image(kind, shape)
    fine = grey.astype(np.float32)
    coarse = cv2.GaussianBlur(fine, (0, 0), _SHARP_COARSE_SIGMA)
    sums, texture = np.empty((4, 4)), np.empty(grey.shape, np.float32)
    edge_energy(fine, coarse, sums, texture, reach)
    expected_sums, _ = reference.edge_energy(grey, coarse, reach)
    np.testing.assert_allclose(sums, expected_sums, rtol=1e-5, atol=1e-6 * max(1.0, expected_sums.max()))


def test_the_kernel_refuses_what_it_cannot_read() -> None:
    grey = _image("scene", (40, 60))
    sums, texture, coarse = _kernel(grey)
    fine = grey.astype(np.float32)
    with pytest.raises(ValueError, match="H x W"):
        edge_energy(fine, coarse[:20].copy(), sums, texture)
    with pytest.raises(TypeError, match="fine"):
        edge_energy(grey, coarse, sums, texture)
    with pytest.raises(TypeError, match="coarse"):
        edge_energy(fine, coarse.astype(np.float64), sums, texture)
    with pytest.raises(ValueError, match="C-contiguous"):
        edge_energy(np.zeros((40, 120), np.float32)[:, ::2], coarse, sums, texture)
    with pytest.raises(ValueError, match="reach"):
        edge_energy(fine, coarse, np.empty((4, 4)), texture, -1)
    with pytest.raises(ValueError, match="sums"):
        edge_energy(fine, coarse, np.empty((5, 4)), texture)
    with pytest.raises(ValueError, match="non-empty"):
        edge_energy(np.zeros((0, 5), np.float32), np.zeros((0, 5), np.float32), sums,
                    np.zeros((0, 5), np.float32))
