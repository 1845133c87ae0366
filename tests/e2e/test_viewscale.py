"""livecheck/dev/viewscale.py: the viewing-scale synthetic set (determinism, sizes, noise calibration, blur).

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
def test_the_noise_field_starts_calibrated_at_view_scale(resolution: str) -> None:
    """Step 4 alone (linear-light noise, back to sRGB) on mid-grey: the amplitude that each noise
    case's own calibration starts from."""
    grey = np.full((1500, 2000, 3), 128, np.uint8)
    scene = vs._scene(grey, resolution)
    assert max(scene.shape[:2]) == (4000 if resolution == "native" else 1920)
    for sigma in (1.0, 5.0):
        std = _view_std(vs.add_noise8(scene, sigma, np.random.default_rng(7)))
        assert np.all(np.abs(std / sigma - 1.0) < 0.15), (resolution, sigma, std)


def _photo_like(w: int = 960, h: int = 640) -> np.ndarray:
    """Flat areas of several greys and colours beside the textured strip: what noise shows on."""
    img = np.empty((h, w, 3), np.uint8)
    img[:, : w // 2] = (200, 160, 120)
    img[: h // 2, w // 2:] = (90, 110, 70)
    img[h // 2:, w // 2:] = (40, 60, 180)
    img[h // 3: h // 3 + 160, :480] = _texture(480, 160)
    return img


@pytest.mark.parametrize("resolution", ["1080p", "4k"])
def test_a_noise_case_shows_its_named_sigma_at_view_scale(resolution: str) -> None:
    """The finished case (chroma smoothing, sharpening and JPEG included) differs from the same case
    rendered without noise by the named sigma at viewing scale; left uncalibrated, the pipeline
    would show 1.3-2.8 grey levels for "sigma 1" and 5-9 for "sigma 5" on the real_hr photos."""
    scene = vs._scene(_photo_like(), resolution)
    h, w = scene.shape[:2]
    f = vs.view_factor(w, h)
    for defect, sigma in (("noise1", 1.0), ("noise5", 5.0)):
        rendered = vs.render(_photo_like(), "photo", resolution, defect)
        draws = vs._draw(vs._rng("photo", resolution, defect))
        clean = vs._decode(vs._pipeline(vs.to_linear(scene), defect, f, draws, 0.0))
        visible = vs.visible_noise(rendered, clean)
        assert abs(visible / sigma - 1.0) <= vs.CALIBRATION_TOLERANCE + 0.01, (resolution, defect, visible)
        # ... and not by way of a different picture: the noise-free renders of both cases match
        assert cv2.PSNR(cv2.GaussianBlur(rendered, (0, 0), 3), cv2.GaussianBlur(clean, (0, 0), 3)) > 30


def test_visible_noise_is_the_std_of_the_difference_per_channel() -> None:
    rng = np.random.default_rng(3)
    clean = np.full((400, 600, 3), 120, np.uint8)
    noisy = np.clip(clean + rng.normal(0.0, 3.0, clean.shape), 0, 255).round().astype(np.uint8)
    assert abs(vs.visible_noise(noisy, clean) - 3.0) < 0.1
    blown = np.full_like(clean, 255)  # clipped pixels are left out: nothing to measure on
    with pytest.raises(ValueError):
        vs.visible_noise(blown, blown)


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
