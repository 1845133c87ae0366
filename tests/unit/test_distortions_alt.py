"""The evaluation-only second generator (scripts/distortions_alt.py, albumentations-based)."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("albumentations", reason="albumentations not installed (make installs it --no-deps)")


from livecheck.dev import distortions_alt


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """A textured colour image: edges and fine detail, so blur, codecs and noise all change it."""
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:96, 0:128]
    base = 128 + 60 * np.sin(x / 5.0) * np.cos(y / 7.0)
    img = np.dstack([base, base[::-1], 255 - base]) + rng.normal(0, 12, (96, 128, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("kind", distortions_alt.KINDS)
def test_every_level_is_bgr_uint8_same_shape_and_deterministic(photo: np.ndarray, kind: str) -> None:
    for level in range(1, distortions_alt.LEVELS + 1):
        a = distortions_alt.distort(photo, kind, level, np.random.default_rng(11))
        b = distortions_alt.distort(photo, kind, level, np.random.default_rng(11))
        assert a.dtype == np.uint8 and a.shape == photo.shape
        assert np.array_equal(a, b), f"{kind} level {level} not deterministic for a seed"
        assert not np.array_equal(a, photo), f"{kind} level {level} left the image untouched"


@pytest.mark.parametrize("kind", distortions_alt.KINDS)
def test_level_5_departs_further_than_level_1(photo: np.ndarray, kind: str) -> None:
    def diff(level: int) -> float:
        out = distortions_alt.distort(photo, kind, level, np.random.default_rng(7))
        return float(np.abs(out.astype(np.int16) - photo.astype(np.int16)).mean())

    assert diff(5) > diff(1)


def test_level_0_is_identity_and_bad_input_is_rejected(photo: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    assert np.array_equal(distortions_alt.distort(photo, "jpeg", 0, rng), photo)
    with pytest.raises(ValueError):
        distortions_alt.distort(photo, "no_such_kind", 1, rng)
    with pytest.raises(ValueError):
        distortions_alt.distort(photo, "jpeg", 2.5, rng)
    with pytest.raises(ValueError):
        distortions_alt.distort(photo[..., 0], "jpeg", 1, rng)
