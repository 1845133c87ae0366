"""livecheck's BRISQUE against OpenCV contrib's reference implementation (cv2.quality).

With OpenCV's LIVE model files (Debian package opencv-data), livecheck's scorer must give OpenCV's
score within 0.5 and OpenCV's 36 features within 1e-3 relative, on varied images: sizes (odd, tiny,
wide), grey / BGR / BGRA, and the distortions a camera makes (blur, noise, JPEG, dark, bright).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livecheck.models import brisque_features
from livecheck.models.brisque import OPENCV_LIVE_MODEL, OPENCV_LIVE_RANGE, BrisqueModel

pytestmark = pytest.mark.skipif(
    not (hasattr(cv2, "quality") and OPENCV_LIVE_MODEL.exists() and OPENCV_LIVE_RANGE.exists()),
    reason=f"OpenCV reference needs cv2.quality and {OPENCV_LIVE_MODEL} (Debian package opencv-data)",
)

FEATURE_RTOL = 1e-3
FEATURE_ATOL = 1e-6  # the AGGD mean features pass through 0; below this, relative error is noise
SCORE_TOL = 0.5
SHAPE_FEATURES = [scale * 18 + i for scale in (0, 1) for i in (0, 2, 6, 10, 14)]
"""The shape parameters among the 36 features: points of OpenCV's grid 0.2, 0.201, ..."""
GRID_STEP = 0.001


def assert_features_match(ours: np.ndarray, reference: np.ndarray) -> None:
    """Every feature within FEATURE_RTOL, but a shape parameter may land on the next grid point: when
    the moment ratio falls within float rounding of the midpoint between two grid points' ratios,
    either implementation may round it either way (2 of 2000 random tiny frames here; a CI run of
    this suite once drew one)."""
    others = np.setdiff1d(np.arange(ours.size), SHAPE_FEATURES)
    np.testing.assert_allclose(ours[others], reference[others], rtol=FEATURE_RTOL, atol=FEATURE_ATOL,
                               equal_nan=True)
    np.testing.assert_allclose(ours[SHAPE_FEATURES], reference[SHAPE_FEATURES], rtol=0,
                               atol=1.5 * GRID_STEP, equal_nan=True)


def scene(height: int, width: int, seed: int) -> np.ndarray:
    """A photo-like BGR uint8 scene: smooth shading, hard-edged shapes, fine texture."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    img = np.empty((height, width, 3), np.float32)
    for c in range(3):
        img[..., c] = 90 + 60 * np.sin(xx / (13 + 7 * c) + rng.uniform(0, 6)) * np.cos(yy / (17 + 5 * c))
    for _ in range(6):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        colour = tuple(float(v) for v in rng.integers(0, 256, 3))
        cv2.circle(img, centre, int(rng.integers(3, max(4, min(height, width) // 3))), colour, -1,
                   lineType=cv2.LINE_AA)
    img += cv2.GaussianBlur(rng.normal(0, 12, img.shape).astype(np.float32), (0, 0), 0.8)
    return np.clip(img, 0, 255).astype(np.uint8)


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)


def _cases() -> dict[str, np.ndarray]:
    base = scene(240, 320, 1)
    rng = np.random.default_rng(2)
    noisy = np.clip(base + rng.normal(0, 18, base.shape), 0, 255).astype(np.uint8)
    return {
        "bgr_320x240": base,
        "bgr_odd_311x257": scene(257, 311, 3),
        "grey_2d_203x150": cv2.cvtColor(scene(150, 203, 4), cv2.COLOR_BGR2GRAY),
        "grey_hw1_97x61": cv2.cvtColor(scene(61, 97, 5), cv2.COLOR_BGR2GRAY)[:, :, None],
        "bgra_160x120": cv2.cvtColor(scene(120, 160, 6), cv2.COLOR_BGR2BGRA),
        "wide_640x37": scene(37, 640, 7),
        "tiny_9x7": scene(7, 9, 8),
        "blur": cv2.GaussianBlur(base, (0, 0), 3.0),
        "noise": noisy,
        "jpeg_q8": jpeg(base, 8),
        "dark_clipped": np.clip(base.astype(np.float32) * 0.12 - 4, 0, 255).astype(np.uint8),
        "bright_clipped": np.clip(base.astype(np.float32) * 2.2 + 40, 0, 255).astype(np.uint8),
        "video_1280x720": cv2.resize(noisy, (1280, 720), interpolation=cv2.INTER_CUBIC),
    }


CASES = _cases()


@pytest.fixture(scope="module")
def live() -> BrisqueModel:
    return BrisqueModel.opencv_live()


@pytest.mark.parametrize("name", sorted(CASES))
def test_features_match_opencv(name: str) -> None:
    img = CASES[name]
    ours = brisque_features.brisque_features(img)
    reference = cv2.quality.QualityBRISQUE_computeFeatures(np.ascontiguousarray(img)).ravel()
    assert_features_match(ours, reference)


@pytest.mark.parametrize("name", sorted(CASES))
def test_score_matches_opencv(live: BrisqueModel, name: str) -> None:
    img = CASES[name]
    reference = cv2.quality.QualityBRISQUE_compute(np.ascontiguousarray(img), str(OPENCV_LIVE_MODEL),
                                                   str(OPENCV_LIVE_RANGE))[0]
    assert live.score(img)["score"] == pytest.approx(reference, abs=SCORE_TOL)


def test_many_strips_match_opencv(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strip seams (blur halos, products across strips, the zero frame) change nothing."""
    monkeypatch.setattr(brisque_features, "_STRIP_BYTES", 1)  # 8-row strips
    for name in ("bgr_odd_311x257", "dark_clipped", "bright_clipped"):
        img = CASES[name]
        ours = brisque_features.brisque_features(img)
        reference = cv2.quality.QualityBRISQUE_computeFeatures(img).ravel()
        assert_features_match(ours, reference)


def test_flat_frame_has_nan_features_like_opencv_and_scores_worst(live: BrisqueModel) -> None:
    flat = np.full((48, 64, 3), 117, np.uint8)
    reference = cv2.quality.QualityBRISQUE_computeFeatures(flat).ravel()
    assert_features_match(brisque_features.brisque_features(flat), reference)
    assert live.score(flat) == {"score": 100.0}


@settings(max_examples=30, deadline=None)
@given(height=st.integers(2, 70), width=st.integers(2, 70), strip_rows=st.integers(1, 40),
       seed=st.integers(0, 2**16), smooth=st.booleans())
def test_any_small_size_and_strip_height_matches_opencv(height: int, width: int, strip_rows: int,
                                                        seed: int, smooth: bool) -> None:
    """Odd and tiny sizes, every strip layout: edges, seams and the zero frame stay exact."""
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    if smooth:  # flat-ish areas: zeros and NaN variances in the MSCN coefficients
        img = (img // 64 * 64).astype(np.uint8)
    original = brisque_features._STRIP_BYTES
    brisque_features._STRIP_BYTES = 4 * (width + 1) * strip_rows
    try:
        ours = brisque_features.brisque_features(img)
    finally:
        brisque_features._STRIP_BYTES = original
    reference = cv2.quality.QualityBRISQUE_computeFeatures(img).ravel()
    assert_features_match(ours, reference)
