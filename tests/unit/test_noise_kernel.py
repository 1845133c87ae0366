"""The C kernel behind the noise estimate (livecheck/_tiles.c) against its plain NumPy reference."""
from __future__ import annotations

import numpy as np
import pytest
from support import noise_reference as reference

from livecheck.kernels import tile_statistics
from livecheck.noise import _BLUR

TILES, LUMA = 32, 12


def _frame(kind: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    h, w = 360, 480
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "noise":
        base = np.dstack([60 + 0.2 * x, 100 + 0.1 * y, 140 + 0.05 * (x + y)])
        return np.clip(base + rng.normal(0, 8, (h, w, 3)), 0, 255).astype(np.uint8)
    if kind == "texture":  # strong structure: edges, stripes and colour texture
        base = np.dstack([128 + 90 * np.sin(x / 3.0), 128 + 90 * np.sin(y / 5.0), 128 + 60 * np.sin((x + y) / 7.0)])
        return np.clip(base + rng.normal(0, 2, (h, w, 3)), 0, 255).astype(np.uint8)
    if kind == "blown":  # saturated highlights over half the frame, noise on the rest
        frame = np.clip(rng.normal(150, 6, (h, w, 3)), 0, 255).astype(np.uint8)
        frame[:, w // 2:] = 255
        return frame
    if kind == "flat":
        return np.full((h, w, 3), 77, np.uint8)
    raise ValueError(kind)


def _positions(frame: np.ndarray, side: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    h, w = frame.shape[:2]
    return np.stack([rng.integers(0, h - side + 1, TILES), rng.integers(0, w - side + 1, TILES)], axis=1)


def _kernel(frame: np.ndarray, top_left: np.ndarray, side: int, colour: bool):
    stats, clipped, luma = np.empty((3, 2, TILES)), np.empty(TILES), np.empty(LUMA)
    tile_statistics(frame, top_left, side, _BLUR, colour, stats, clipped, luma)
    return stats, clipped, luma


@pytest.mark.parametrize("kind", ["noise", "texture", "blown", "flat"])
@pytest.mark.parametrize("side", [64, 48, 32])
def test_kernel_matches_the_reference(kind: str, side: int) -> None:
    frame = _frame(kind)
    top_left = _positions(frame, side)
    stats, clipped, luma = _kernel(frame, top_left, side, colour=True)
    expected = reference.tile_statistics(frame, top_left, side, _BLUR, colour=True, luma_count=LUMA)
    scale = max(1.0, float(np.abs(expected.stats).max()))
    np.testing.assert_allclose(stats, expected.stats, rtol=1e-4, atol=1e-5 * scale)
    np.testing.assert_array_equal(clipped, expected.clipped)
    np.testing.assert_allclose(luma, expected.luma_smallest, rtol=1e-4, atol=1e-4)


def test_grey_frames_skip_the_colour_statistics() -> None:
    frame = np.repeat(_frame("noise")[:, :, 1:2], 3, axis=2)
    top_left = _positions(frame, 64)
    stats, clipped, luma = _kernel(frame, top_left, 64, colour=False)
    expected = reference.tile_statistics(frame, top_left, 64, _BLUR, colour=False, luma_count=LUMA)
    assert not stats[0].any() and not stats[1:, 1].any() and not clipped.any()
    np.testing.assert_allclose(stats[1:, 0], expected.stats[1:, 0], rtol=1e-4)
    np.testing.assert_allclose(luma, expected.luma_smallest, rtol=1e-4, atol=1e-4)


def test_the_kernel_refuses_what_it_cannot_read() -> None:
    frame = _frame("noise")
    stats, clipped, luma = np.empty((3, 2, TILES)), np.empty(TILES), np.empty(LUMA)
    outside = _positions(frame, 64)
    outside[5] = (frame.shape[0] - 10, 0)
    with pytest.raises(ValueError, match="outside the frame"):
        tile_statistics(frame, outside, 64, _BLUR, True, stats, clipped, luma)
    with pytest.raises(ValueError, match=r"top_left must be \(T, 2\)"):
        tile_statistics(frame, _positions(frame, 64).ravel(), 64, _BLUR, True, stats, clipped, luma)
    with pytest.raises(ValueError, match="multiple of 8"):
        tile_statistics(frame, _positions(frame, 60), 60, _BLUR, True, stats, clipped, luma)
    with pytest.raises(ValueError, match=r"\(3, 2, T\)"):
        tile_statistics(frame, _positions(frame, 64), 64, _BLUR, True, stats[:, :, :5].copy(), clipped, luma)
    with pytest.raises(TypeError, match="frame"):
        tile_statistics(frame.astype(np.float32), _positions(frame, 64), 64, _BLUR, True,
                               stats, clipped, luma)
    with pytest.raises(TypeError, match="top_left"):
        tile_statistics(frame, _positions(frame, 64).astype(np.int32), 64, _BLUR, True,
                               stats, clipped, luma)
    with pytest.raises(ValueError, match="C-contiguous"):
        tile_statistics(frame[:, ::2], _positions(frame, 64), 64, _BLUR, True, stats, clipped, luma)
