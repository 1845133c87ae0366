"""scripts/viewscale.py: the viewing-scale synthetic set (determinism, sizes, noise calibration, blur).

Everything here runs on synthetic images made in the test; only ``sources`` reads ../shared/data.
The module skips where ../shared/data is absent (the set is only built and used next to it).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from livecheck.dev import shared_root
from livecheck.dev import viewscale as vs

DATA = shared_root() / "data"
if not DATA.is_dir():
    pytest.skip(f"shared data not found: {DATA}", allow_module_level=True)


def _texture(w: int = 480, h: int = 320) -> np.ndarray:
    """Sharp edges and fine detail: a checkerboard, a ramp and some thin lines, in colour."""
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0] = np.where(((xx // 12) + (yy // 12)) % 2 == 0, 200, 50)
    img[..., 1] = (xx * 255 // max(1, w - 1)).astype(np.uint8)
    img[..., 2] = np.where((xx + 2 * yy) % 17 < 2, 230, 90)
    return img


def _view_std(img: np.ndarray) -> np.ndarray:
    """Per-channel std at view scale (area fit to 1920 in float, so no extra rounding), border cut."""
    h, w = img.shape[:2]
    f = img.astype(np.float32)
    if vs.view_size(w, h) != (w, h):
        f = cv2.resize(f, vs.view_size(w, h), interpolation=cv2.INTER_AREA)
    return f[16:-16, 16:-16].reshape(-1, 3).std(axis=0)


def test_render_is_deterministic_and_seeded_by_its_names() -> None:
    img = _texture()
    a = vs.render(img, "synthetic", "720p", "noise5")
    b = vs.render(img, "synthetic", "720p", "noise5")
    assert a.dtype == np.uint8 and np.array_equal(a, b)
    c = vs.render(img, "other", "720p", "noise5")
    assert not np.array_equal(a, c)


def test_output_size_follows_the_resolution_rule() -> None:
    img = _texture(480, 320)
    assert vs.render(img, "s", "720p", "sharp").shape == (853, 1280, 3)
    assert vs.render(img, "s", "1080p", "motion8").shape == (1280, 1920, 3)
    portrait = np.ascontiguousarray(img.transpose(1, 0, 2))
    assert vs.render(portrait, "s", "720p", "gauss0.5").shape == (1280, 853, 3)
    assert vs.target_size(480, 320, "4k") == (3840, 2560)
    assert vs.target_size(3072, 2048, "native") == (4243, 2829)  # upscaled to ~12 MP
    assert vs.target_size(2048, 3072, "native") == (2829, 4243)
    assert vs.target_size(4032, 3024, "native") == (4032, 3024)  # already >= 12 MP
    assert vs.view_size(4243, 2829) == (1920, 1280)
    assert vs.view_factor(1280, 853) == 1.0


@pytest.mark.parametrize("resolution", ["native", "1080p"])
def test_noise_is_calibrated_at_view_scale(resolution: str) -> None:
    grey = np.full((1500, 2000, 3), 128, np.uint8)
    scene = vs._scene(grey, resolution)
    assert max(scene.shape[:2]) == (4000 if resolution == "native" else 1920)
    for defect, sigma in (("noise1", 1.0), ("noise5", 5.0)):
        # step 4 alone (linear-light noise, back to sRGB): the calibrated quantity
        stage = vs.add_noise8(scene, sigma, np.random.default_rng(7))
        std = _view_std(stage)
        assert np.all(np.abs(std / sigma - 1.0) < 0.15), (resolution, defect, std)
        if resolution == "native" and defect == "noise1":
            continue  # the slow 12-MP render once per resolution is enough
        # the whole pipeline: chroma smoothing, sharpening and JPEG change it, but not grossly
        # (measured on this grey: noise5 5.6-6.3, noise1 0.5-1.1, depending on JPEG quality)
        full = _view_std(vs.render(grey, "grey", resolution, defect))
        if defect == "noise5":
            assert np.all((full > 0.8 * sigma) & (full < 1.5 * sigma)), (resolution, defect, full)
        else:
            assert np.all(full < 1.5), (resolution, defect, full)


def test_blur_lowers_high_frequency_energy() -> None:
    img = _texture()

    def hf(defect: str) -> float:
        grey = cv2.cvtColor(vs.render(img, "s", "1080p", defect), cv2.COLOR_BGR2GRAY)
        return float(cv2.Laplacian(grey.astype(np.float32), cv2.CV_32F)[8:-8, 8:-8].var())

    sharp, mild, blurred, motion = hf("sharp"), hf("gauss0.5"), hf("gauss2.5"), hf("motion8")
    assert blurred < 0.3 * sharp
    assert motion < 0.5 * sharp
    assert blurred < mild <= sharp * 1.05


def test_motion_kernel_is_normalised_and_has_the_length() -> None:
    k = vs.motion_kernel(8.0, 0.0)
    assert abs(float(k.sum()) - 1.0) < 1e-6
    row = k.sum(axis=0)
    assert 7.5 < float((row > 0.02 * row.max()).sum()) <= 9.5


def test_sources_are_the_clean_real_hr_photos() -> None:
    srcs = vs.sources(DATA)
    assert len(srcs) >= 20
    assert all(p.is_file() for p in srcs)
    assert len({p.stem for p in srcs}) == len(srcs)  # cache names are unique
    assert not any("Canon_IXUS_v2" in p.name for p in srcs)  # ambiguous rows left out
    assert {p.parent.name for p in srcs} == {"sharp", "wild"}


def test_expectations_cover_every_defect() -> None:
    assert set(vs.EXPECT) == set(vs.DEFECTS)
    assert vs.EXPECT["gauss2.5"] == ("blurry", True) and vs.EXPECT["gauss0.5"] == ("blurry", False)
    assert vs.EXPECT["noise5"] == ("noisy", True) and vs.EXPECT["sharp"] == (None, False)
