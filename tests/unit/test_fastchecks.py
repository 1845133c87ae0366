"""The per-frame fast checks on frames with known blur, noise and exposure, and on bad arrays."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.media import add_noise, blur, scene

import livecheck
from livecheck.dev import shared_root
from livecheck.fastchecks import Assessment, FrameMetrics, assess, measure
from livecheck.hint import Hint
from livecheck.models import ModelName, QualityModel, load_model, run_model
from livecheck.thresholds import Thresholds


def plain_scene(width: int = 640, height: int = 480) -> np.ndarray:
    """Low texture but sharp: a pale page with one dark square on it."""
    img = np.full((height, width, 3), 200, np.uint8)
    cv2.rectangle(img, (width // 3, height // 3), (width // 2, height // 2), (70, 70, 70), -1)
    return img


# --- what the hints say ----------------------------------------------------------------------------

def test_sharp_clean_scene_raises_no_hint() -> None:
    result = assess(scene())
    assert result.hints == frozenset()
    assert result.metrics.sharpness > 2.0


def test_blur_raises_blurry() -> None:
    sharp = measure(scene())
    blurred = assess(blur(scene(), 6.0))
    assert Hint.BLURRY in blurred.hints
    assert blurred.metrics.sharpness < sharp.sharpness - 0.5


@pytest.mark.parametrize("horizontal", [True, False])
def test_motion_blur_raises_blurry_although_edges_along_the_motion_stay_sharp(horizontal: bool) -> None:
    # Camera shake: a smooth streak along one axis (sigma 8 px), the other axis untouched.
    sx, sy = (8.0, 0.01) if horizontal else (0.01, 8.0)
    streaked = cv2.GaussianBlur(scene(), (49 if horizontal else 1, 1 if horizontal else 49), sx, sigmaY=sy)
    assert Hint.BLURRY in assess(streaked).hints


def text_page(width: int = 1280, height: int = 720) -> np.ndarray:
    """A printed page: lines of small dark letters (strokes ~1-2 px) on pale paper."""
    img = np.full((height, width, 3), 225, np.uint8)
    rng = np.random.default_rng(1)
    for y in range(40, height - 20, 26):
        words = " ".join("".join(chr(97 + int(c)) for c in rng.integers(0, 26, rng.integers(2, 9))) for _ in range(14))
        cv2.putText(img, words, (20, y), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (40, 40, 40), 1, cv2.LINE_AA)
    return img


def streak(img: np.ndarray, length: float, angle_deg: float) -> np.ndarray:
    """A linear motion blur: a box streak of ``length`` px at ``angle_deg``."""
    kernel = np.zeros((33, 33), np.float32)
    half = (length - 1) / 2
    dx, dy = half * np.cos(np.radians(angle_deg)), half * np.sin(np.radians(angle_deg))
    ends = [(round((16 + sign * dx) * 16), round((16 + sign * dy) * 16)) for sign in (-1, 1)]
    cv2.line(kernel, ends[0], ends[1], 1.0, 1, cv2.LINE_AA, 4)
    return cv2.filter2D(img, -1, kernel / kernel.sum())


@pytest.mark.parametrize("angle", [0, 30, 90, 135])
def test_a_streak_across_text_raises_blurry_although_its_edges_stay_steep(angle: int) -> None:
    # Thin strokes smeared 8 px: faint bands with steep ends. The sharpness ratio reads them as crisp
    # (well above blurry_on); the acuity sees them faint beside the strokes along the motion.
    smeared = assess(streak(text_page(), 8.0, angle))
    assert Hint.BLURRY in smeared.hints
    assert smeared.metrics.acuity < Thresholds().blurry_acuity_on


def test_sharp_and_barely_softened_text_is_not_blurry() -> None:
    for page in (text_page(), blur(text_page(), 0.5)):
        result = assess(page)
        assert Hint.BLURRY not in result.hints
        assert result.metrics.acuity > Thresholds().blurry_acuity_off


def test_noise_raises_noisy_and_clean_frame_does_not() -> None:
    assert Hint.NOISY not in assess(scene()).hints
    noisy = assess(add_noise(scene(), 6.0))
    assert Hint.NOISY in noisy.hints
    assert Hint.BLURRY not in noisy.hints


def test_noise_does_not_make_a_blurred_frame_look_sharp() -> None:
    blurred = measure(blur(scene(), 6.0))
    noisy_blurred = assess(add_noise(blur(scene(), 6.0), 8.0))
    assert Hint.BLURRY in noisy_blurred.hints
    assert noisy_blurred.metrics.sharpness < blurred.sharpness + 0.15


def test_plain_low_texture_sharp_scene_is_not_blurry() -> None:
    result = assess(plain_scene())
    assert Hint.BLURRY not in result.hints
    assert result.metrics.sharpness > 2.0


def test_noise_sigma_reads_the_added_noise() -> None:
    flat = np.full((480, 640, 3), 128, np.uint8)
    for sigma in (2.0, 4.0, 8.0):
        m = measure(add_noise(flat, sigma))
        assert m.colour_noise == pytest.approx(sigma, rel=0.15)
        assert m.noise_sigma == pytest.approx(sigma, rel=0.15)
        assert m.luma_noise == pytest.approx(0.67 * sigma, rel=0.15)  # luma averages the channels
    clean = measure(scene())
    assert clean.noise_sigma < 1.0 and clean.colour_noise < 1.0 and clean.luma_noise < 1.0


def test_noise_sigma_on_grey_frames() -> None:
    flat = np.full((480, 640), 128, np.uint8)
    m = measure(add_noise(flat, 4.0))
    assert m.luma_noise == pytest.approx(4.0, rel=0.15)
    assert m.noise_sigma == pytest.approx(4.0, rel=0.15)
    assert m.colour_noise == 0.0  # no colour to measure


def luma_only_noise(img: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    """Noise added to Y of YCrCb only (as video codecs and camera ISPs leave it), back to BGR."""
    ycc = cv2.cvtColor(img, cv2.COLOR_BGR2YCrCb).astype(np.float64)
    ycc[..., 0] += np.random.default_rng(seed).normal(0.0, sigma, ycc.shape[:2])
    return cv2.cvtColor(np.clip(ycc, 0, 255).round().astype(np.uint8), cv2.COLOR_YCrCb2BGR)


def test_luma_only_noise_is_measured_and_strong_luma_noise_raises_noisy() -> None:
    for sigma in (4.0, 10.0):
        m = measure(luma_only_noise(scene(), sigma))
        assert m.luma_noise == pytest.approx(sigma, rel=0.15)
        assert m.colour_noise < 1.0  # every channel moves together: nothing for the colour estimate
    assert Hint.NOISY in assess(luma_only_noise(scene(), 10.0)).hints


def grey_fine_texture(width: int = 640, height: int = 480) -> np.ndarray:
    """A grey frame of fine, sharp texture: gratings of 2.5-4.3 px periods in three directions."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    tex = (128 + 40 * np.sin(2 * np.pi * (0.8 * x + 0.6 * y) / 3.1)
           + 30 * np.sin(2 * np.pi * (-0.5 * x + 0.87 * y) / 4.3) + 20 * np.sin(2 * np.pi * x / 2.5))
    return np.clip(tex, 0, 255).astype(np.uint8)


def test_grey_noise_raises_noisy_but_grey_fine_texture_does_not() -> None:
    grey = cv2.cvtColor(scene(), cv2.COLOR_BGR2GRAY)
    noisy = assess(add_noise(grey, 10.0))
    assert Hint.NOISY in noisy.hints
    assert noisy.metrics.luma_noise == pytest.approx(10.0, rel=0.15)
    texture = assess(grey_fine_texture())
    assert Hint.NOISY not in texture.hints
    assert texture.metrics.luma_noise < 1.0  # patch PCA: the gratings leave patch directions empty


def test_jpeg_compressed_noise_is_still_detected() -> None:
    for sigma, quality in ((20.0, 75), (12.0, 90)):
        ok, data = cv2.imencode(".jpg", add_noise(scene(), sigma), [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        assert Hint.NOISY in assess(cv2.imdecode(data, cv2.IMREAD_COLOR)).hints
    ok, data = cv2.imencode(".jpg", scene(), [cv2.IMWRITE_JPEG_QUALITY, 75])
    assert Hint.NOISY not in assess(cv2.imdecode(data, cv2.IMREAD_COLOR)).hints


def blotchy_noise(img: np.ndarray, sigma: float, blotch: float = 1.5, seed: int = 0) -> np.ndarray:
    """Colour noise of ``sigma`` per pixel whose grains are ``blotch`` px wide (a Gaussian-filtered
    white noise, rescaled): what demosaicing, in-camera denoising and JPEG leave of sensor noise."""
    white = np.random.default_rng(seed).normal(0.0, 1.0, img.shape).astype(np.float32)
    grains = cv2.GaussianBlur(white, (0, 0), blotch)
    grains *= sigma / grains.std()
    return np.clip(img + grains, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("blotch", [1.5, 3.0])
def test_blotchy_colour_noise_raises_noisy(blotch: float) -> None:
    """Real camera noise is spatially correlated; the full-resolution residual sees little of it, so
    the 4x4-binned scale must (a 2x2 binning alone missed grains of 3 px): at sigma 3 it reads well
    above the hint's threshold."""
    result = assess(blotchy_noise(scene(1280, 720), 3.0, blotch))
    assert Hint.NOISY in result.hints
    assert result.metrics.colour_noise > 2 * Thresholds().noisy_on
    assert Hint.NOISY not in assess(scene(1280, 720)).hints


def test_noise_is_read_on_the_flat_part_of_a_textured_frame() -> None:
    """Tiles are picked where the picture is flattest: a frame that is mostly fine texture (which
    would read as luma noise) with one plain noisy band still reads the band's noise."""
    frame = cv2.cvtColor(grey_fine_texture(1280, 720), cv2.COLOR_GRAY2BGR)
    band = add_noise(np.full((720, 320, 3), 140, np.uint8), 4.0)
    frame[:, -320:] = band
    m = measure(frame)
    assert m.colour_noise == pytest.approx(4.0, rel=0.2)


def test_blown_highlights_do_not_read_as_colour_noise() -> None:
    bright = np.clip(scene().astype(np.float32) * 1.6 + 90, 0, 255).astype(np.uint8)
    assert measure(bright).colour_noise < 1.0


def test_dark_and_bright_frames() -> None:
    dark = (scene().astype(np.float32) * 0.2).astype(np.uint8)
    assert Hint.TOO_DARK in assess(dark).hints
    bright = np.clip(scene().astype(np.float32) * 1.6 + 90, 0, 255).astype(np.uint8)
    result = assess(bright)
    assert Hint.TOO_BRIGHT in result.hints
    assert Hint.TOO_DARK not in result.hints


def test_a_pale_flat_washed_out_frame_is_too_bright_with_few_pixels_blown() -> None:
    # The scene's levels lifted and squeezed (grey shadows) under a sky near white, almost none blown.
    pale = np.clip(58 + scene().astype(np.float32) * 1.12, 0, 255).astype(np.uint8)
    pale[:60] = 246
    m = measure(pale)
    assert m.clipped_bright < 0.02 and m.p95 < 250 and m.mean_luma > 165
    assert Hint.TOO_BRIGHT in assess(pale).hints


def test_a_bright_scene_that_keeps_its_dark_detail_is_not_too_bright() -> None:
    # A bright frame (mean ~175, highlights at white) with real shadows: a beach in sunlight.
    bright = np.clip(scene().astype(np.float32) * 1.3 + 60, 0, 255).astype(np.uint8)
    bright[300:480, :160] = 30
    m = measure(bright)
    assert m.mean_luma > 165 and m.p95 >= 238 and m.contrast > 140
    assert Hint.TOO_BRIGHT not in assess(bright).hints


def test_bright_but_unclipped_page_is_not_too_bright() -> None:
    page = np.full((480, 640, 3), 215, np.uint8)
    cv2.putText(page, "a white page", (40, 240), cv2.FONT_HERSHEY_SIMPLEX, 2, (20, 20, 20), 4)
    assert Hint.TOO_BRIGHT not in assess(page).hints


def test_a_hazy_scene_raises_no_hint_but_reads_low_contrast() -> None:
    """There is no low-contrast hint (it only caught near-uniform frames); the metric stays."""
    hazy = (scene().astype(np.float32) * 0.08 + 120).astype(np.uint8)
    result = assess(hazy)
    assert result.hints == frozenset()
    assert result.metrics.contrast < 16


@pytest.mark.parametrize("size", [(640, 360), (1280, 720), (1920, 1080), (3840, 2160)])
def test_same_scene_at_other_resolutions_gives_the_same_hints(size: tuple[int, int]) -> None:
    w, h = size
    base_sharp, base_blur = measure(scene(640, 360)), measure(blur(scene(640, 360), 5.0))
    sharp, blurred = assess(scene(w, h)), assess(blur(scene(w, h), 5.0 * w / 640))
    assert sharp.hints == frozenset()
    assert Hint.BLURRY in blurred.hints
    assert sharp.metrics.sharpness == pytest.approx(base_sharp.sharpness, rel=0.25)
    assert blurred.metrics.sharpness == pytest.approx(base_blur.sharpness, rel=0.12)
    assert sharp.metrics.mean_luma == pytest.approx(base_sharp.mean_luma, abs=2.0)


# --- the metrics and the contract ------------------------------------------------------------------

def test_metrics_names_and_types() -> None:
    metrics = measure(scene()).as_dict()
    assert set(metrics) == {"sharpness", "edge_strength", "mean_luma", "p05", "p50", "p95",
                            "clipped_dark", "clipped_bright", "colour_noise", "luma_noise",
                            "noise_sigma", "contrast", "blur_spread", "dark_mass", "bright_mass", "dark_below",
                            "p01", "local_contrast", "motion", "acuity"}
    assert metrics["noise_sigma"] == max(metrics["colour_noise"], metrics["luma_noise"])
    assert all(isinstance(v, float) and np.isfinite(v) for v in metrics.values())
    assert metrics["p05"] <= metrics["p50"] <= metrics["p95"]
    assert metrics["contrast"] == metrics["p95"] - metrics["p05"]


def test_package_exports() -> None:
    assert livecheck.__version__ == "0.1.0"
    assert livecheck.assess is assess and livecheck.Assessment is Assessment


def test_grey_bgra_and_views_give_the_bgr_result() -> None:
    bgr = scene()
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    as_grey = measure(grey)
    assert measure(grey[:, :, None]) == as_grey
    assert as_grey.mean_luma == pytest.approx(measure(bgr).mean_luma, abs=1.0)
    assert measure(cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)) == measure(bgr)
    big = np.ascontiguousarray(np.repeat(np.repeat(bgr, 2, axis=0), 2, axis=1))
    view = big[::2, ::2]  # a non-contiguous view equal to bgr
    assert not view.flags.c_contiguous
    assert measure(view) == measure(bgr)
    assert isinstance(assess(bgr[:, ::-1]), Assessment)
    assert isinstance(assess(np.asfortranarray(bgr)), Assessment)


def test_all_black_and_all_white() -> None:
    black = assess(np.zeros((480, 640, 3), np.uint8))
    white = assess(np.full((480, 640, 3), 255, np.uint8))
    assert black.hints == {Hint.TOO_DARK}
    assert white.hints == {Hint.TOO_BRIGHT}
    assert black.metrics.edge_strength == 0.0 and black.metrics.noise_sigma == 0.0


@pytest.mark.parametrize("shape", [(1, 1, 3), (2, 3, 3), (1, 1), (3, 2), (5, 700, 3), (700, 5),
                                   (30, 100, 3), (36, 90, 3), (60, 80, 3), (44, 44), (52, 640, 4)])
def test_tiny_and_thin_frames_return(shape: tuple[int, ...]) -> None:
    # Small sides that are not a multiple of 8 once made a tile of odd size, which the noise
    # estimate's sampling could not take (a ValueError on 60x80 thumbnails).
    frame = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    assert isinstance(assess(frame), Assessment)


@pytest.mark.parametrize("frame, message", [
    (np.zeros((48, 64, 3), np.float32), "float"),
    (np.zeros((48, 64, 3), np.float64), "float"),
    (np.zeros((48, 64, 3), np.uint16), "16-bit"),
    (np.zeros((48, 64, 3), np.int32), "dtype"),
    (np.zeros((48, 64, 3), bool), "dtype"),
    (np.zeros((48, 64, 2), np.uint8), "shape"),
    (np.zeros((48, 64, 5), np.uint8), "shape"),
    (np.zeros((48,), np.uint8), "shape"),
    (np.zeros((2, 48, 64, 3), np.uint8), "shape"),
    (np.zeros((0, 64, 3), np.uint8), "empty"),
    (np.zeros((48, 0), np.uint8), "empty"),
])
def test_bad_frames_raise_a_clear_value_error(frame: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        assess(frame)


def test_not_an_array_raises_value_error() -> None:
    with pytest.raises(ValueError, match="numpy array"):
        assess([[1, 2], [3, 4]])  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def models() -> Iterator[dict[ModelName, QualityModel]]:
    """The learned models, loaded once for the whole hypothesis run (MediaPipe start-up is slow)."""
    loaded = {name: load_model(name) for name in ModelName}
    yield loaded
    for model in loaded.values():
        model.close()


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(0, 80),
    w=st.integers(0, 80),
    channels=st.sampled_from([None, 1, 2, 3, 4, 5]),
    dtype=st.sampled_from([np.uint8, np.uint16, np.float32, np.int8, np.bool_]),
    seed=st.integers(0, 2**16),
)
def test_any_array_returns_or_raises_value_error(models: dict[ModelName, QualityModel], h: int, w: int,
                                                 channels: int | None, dtype: type, seed: int) -> None:
    shape = (h, w) if channels is None else (h, w, channels)
    frame = (np.random.default_rng(seed).integers(0, 256, shape) % 2 if dtype is np.bool_
             else np.random.default_rng(seed).integers(0, 120, shape)).astype(dtype)
    try:
        result = assess(frame)
    except ValueError:
        return
    assert isinstance(result.metrics, FrameMetrics)
    assert all(np.isfinite(v) for v in result.metrics.as_dict().values())
    # whatever the fast checks take, every learned model scores too (as `score` and `replay` run them)
    for name, model in models.items():
        output = run_model(model, frame)
        assert output.error is None, (name, shape, dtype, output.error)
        assert output.values and all(np.isfinite(v) for v in output.values.values()), (name, output)


# --- real photos, when ../shared is here -----------------------------------------------------------

def _shared_data() -> Path:
    root = os.environ.get("LIVECHECK_SHARED")
    base = Path(root) if root else shared_root()
    return base / "data"


def test_real_photos_when_shared_data_is_present() -> None:
    data = _shared_data()
    if not data.is_dir():
        pytest.skip(f"../shared/data not found: {data}")
    clean = cv2.imread(str(data / "pristine" / "Kodak24" / "kodim23.png"))
    under = data / "real" / "dark" / "SICE_under"
    dark = cv2.imread(str(under / sorted(os.listdir(under))[0]))
    shake = cv2.imread(str(data / "real" / "blur" / "Levin09" / "blurred" / "im1_kernel4_img.png"),
                       cv2.IMREAD_UNCHANGED)
    assert assess(clean).hints == frozenset()
    assert Hint.TOO_DARK in assess(dark).hints
    assert Hint.BLURRY in assess(shake).hints
    # fine texture is not noise
    gravel = cv2.imread(str(data / "pristine" / "Kodak24" / "kodim13.png"))
    assert Hint.NOISY not in assess(gravel).hints


def test_threads_get_the_same_answers_as_one_thread() -> None:
    from concurrent.futures import ThreadPoolExecutor

    frames = [scene(), add_noise(scene(), 6.0), blur(scene(), 6.0), scene(1280, 720)] * 4
    serial = [measure(f) for f in frames]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(measure, frames))
    assert parallel == serial
