"""Synthetic camera-like distortions of clean photos, with a full-reference quality target.

No human-scored image set can be had offline, so livecheck's learned models (DIQA, NIMA, and the
BRISQUE regressor) are trained on clean photos from ``../shared/data/pristine`` that this module
degrades at known strengths. Every distortion kind has ``LEVELS`` graded strengths; ``level`` may be
any float in ``[0, LEVELS]`` (0 = untouched, strengths are interpolated between the grid points), so
training can draw continuous levels while evaluation uses the integer grid 1..LEVELS.

The stage-2 / regression target for a distorted image is :func:`quality_target`: MS-SSIM and SSIM
on luma against its own clean reference (a full-reference measure, not a human opinion score).

Public API (shared with the BRISQUE helper, keep it stable)::

    KINDS, LEVELS, distort(bgr, kind, level, rng), split_photos(shared_root),
    quality_target(ref, dist), iter_samples(photos, ...), load_photo(path), default_shared_root()
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from livecheck.dev import shared_root

LEVELS = 5

# Strength of each kind at levels 1..LEVELS (level 0 is the clean photo). Sizes are in pixels of the
# pristine photos (about 320-750 px wide), chosen so each step is visible after the ~2x downscale
# the models apply to a camera frame.
_GRID: dict[str, tuple[float, ...]] = {
    "gaussian_blur": (0.8, 1.3, 2.0, 3.0, 4.5),  # sigma, px
    "defocus_blur": (1.2, 2.0, 3.0, 4.5, 6.5),  # disk radius, px
    "motion_blur": (4.0, 7.0, 11.0, 16.0, 23.0),  # streak length, px
    "white_noise": (4.0, 7.0, 11.0, 17.0, 26.0),  # sigma, 8-bit units
    "camera_noise": (1500.0, 500.0, 180.0, 70.0, 28.0),  # full-well electrons (less = noisier)
    "low_light": (2.5, 4.0, 6.5, 10.0, 16.0),  # exposure divisor in linear light (+ shot noise)
    "jpeg": (40.0, 26.0, 17.0, 11.0, 6.0),  # JPEG quality
    "jpeg2000": (20.0, 40.0, 75.0, 130.0, 230.0),  # compression ratio
    "underexposure": (0.55, 0.35, 0.22, 0.13, 0.07),  # linear-light gain
    "overexposure": (1.6, 2.3, 3.3, 4.8, 7.0),  # linear-light gain, clipped at white
    "low_contrast": (0.68, 0.5, 0.36, 0.25, 0.16),  # contrast factor around the mean
    "blur_noise": (1.0, 2.0, 3.0, 4.0, 5.0),  # gaussian_blur + white_noise at ~0.7x level each
    "noise_jpeg": (1.0, 2.0, 3.0, 4.0, 5.0),  # camera_noise then jpeg at ~0.7x level each
}
_IDENTITY: dict[str, float] = {
    "gaussian_blur": 0.0,
    "defocus_blur": 0.0,
    "motion_blur": 1.0,
    "white_noise": 0.0,
    "camera_noise": 20000.0,
    "low_light": 1.0,
    "jpeg": 100.0,
    "jpeg2000": 1.0,
    "underexposure": 1.0,
    "overexposure": 1.0,
    "low_contrast": 1.0,
    "blur_noise": 0.0,
    "noise_jpeg": 0.0,
}
KINDS: tuple[str, ...] = tuple(_GRID)

PRISTINE_SETS: tuple[str, ...] = ("CBSD68", "Kodak24", "McMaster", "skimage")
HELDOUT_FRACTION = 0.2
_PHOTO_SUFFIXES = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp")


def default_shared_root() -> Path:
    """``$LIVECHECK_SHARED`` or ``<repo>/../shared``."""
    return shared_root()


def strength(kind: str, level: float) -> float:
    """The physical parameter of ``kind`` at ``level`` (linear between grid points, 0 = identity)."""
    if kind not in _GRID:
        raise ValueError(f"unknown distortion kind {kind!r}; known: {', '.join(KINDS)}")
    if not 0.0 <= level <= LEVELS:
        raise ValueError(f"level must be in [0, {LEVELS}], got {level}")
    xs = np.arange(LEVELS + 1, dtype=np.float64)
    ys = np.array((_IDENTITY[kind], *_GRID[kind]), dtype=np.float64)
    return float(np.interp(level, xs, ys))


# --- colour helpers ---------------------------------------------------------------------------

def _to_linear(bgr: np.ndarray) -> np.ndarray:
    x = bgr.astype(np.float32) / 255.0
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4).astype(np.float32)


def _to_srgb8(lin: np.ndarray) -> np.ndarray:
    x = np.clip(lin, 0.0, 1.0)
    s = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return np.clip(np.rint(s * 255.0), 0, 255).astype(np.uint8)


def _clip8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


# --- the distortions --------------------------------------------------------------------------

def _gaussian_blur(bgr: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= 0.05:
        return bgr.copy()
    return cv2.GaussianBlur(bgr, (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REFLECT)


def _disk_kernel(radius: float) -> np.ndarray:
    """Anti-aliased disk (pillbox), 8x supersampled so non-integer radii change the kernel smoothly."""
    r = int(np.ceil(radius))
    n = 2 * r + 1
    ss = 8
    coords = (np.arange(n * ss) + 0.5) / ss - (r + 0.5)
    yy, xx = np.meshgrid(coords, coords, indexing="ij")
    inside = (xx**2 + yy**2 <= radius**2).astype(np.float32)
    k = inside.reshape(n, ss, n, ss).mean(axis=(1, 3))
    return k / k.sum()


def _defocus_blur(bgr: np.ndarray, radius: float) -> np.ndarray:
    if radius <= 0.3:
        return bgr.copy()
    return cv2.filter2D(bgr, -1, _disk_kernel(radius), borderType=cv2.BORDER_REFLECT)


def _motion_kernel(length: float, angle_deg: float) -> np.ndarray:
    """A straight streak of ``length`` px at ``angle_deg``, drawn anti-aliased at 8x and reduced."""
    ss = 8
    half = int(np.ceil(length / 2)) + 1
    n = 2 * half + 1
    canvas = np.zeros((n * ss, n * ss), np.float32)
    c = (n * ss) / 2.0
    dx = np.cos(np.deg2rad(angle_deg)) * length * ss / 2
    dy = np.sin(np.deg2rad(angle_deg)) * length * ss / 2
    shift = 4
    p0 = (int(round((c - dx) * (1 << shift))), int(round((c - dy) * (1 << shift))))
    p1 = (int(round((c + dx) * (1 << shift))), int(round((c + dy) * (1 << shift))))
    cv2.line(canvas, p0, p1, 1.0, thickness=ss, lineType=cv2.LINE_AA, shift=shift)
    k = cv2.resize(canvas, (n, n), interpolation=cv2.INTER_AREA)
    return k / k.sum()


def _motion_blur(bgr: np.ndarray, length: float, rng: np.random.Generator) -> np.ndarray:
    if length <= 1.05:
        return bgr.copy()
    kernel = _motion_kernel(length, float(rng.uniform(0.0, 180.0)))
    return cv2.filter2D(bgr, -1, kernel, borderType=cv2.BORDER_REFLECT)


def _white_noise(bgr: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    if sigma <= 0.0:
        return bgr.copy()
    return _clip8(bgr.astype(np.float32) + rng.normal(0.0, sigma, bgr.shape).astype(np.float32))


def _shot_read_noise(lin: np.ndarray, full_well: float, read_e: float,
                     rng: np.random.Generator) -> np.ndarray:
    """Poisson photon noise + Gaussian read noise on a linear image scaled to ``full_well`` e-."""
    electrons = rng.poisson(np.clip(lin, 0.0, None) * full_well).astype(np.float32)
    electrons += rng.normal(0.0, read_e, lin.shape).astype(np.float32)
    return electrons / full_well


def _camera_noise(bgr: np.ndarray, full_well: float, rng: np.random.Generator) -> np.ndarray:
    if full_well >= 19999.0:
        return bgr.copy()
    return _to_srgb8(_shot_read_noise(_to_linear(bgr), full_well, 2.0, rng))


def _low_light(bgr: np.ndarray, divisor: float, rng: np.random.Generator) -> np.ndarray:
    """Less light on a fixed sensor: darker and relatively noisier (no brightening afterwards)."""
    if divisor <= 1.0:
        return bgr.copy()
    return _to_srgb8(_shot_read_noise(_to_linear(bgr) / divisor, 2500.0, 3.0, rng))


def _jpeg(bgr: np.ndarray, quality: float) -> np.ndarray:
    q = int(round(quality))
    if q >= 100:
        return bgr.copy()
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, max(1, q)])
    if not ok:
        raise RuntimeError("OpenCV could not encode JPEG")
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def _jpeg2000(bgr: np.ndarray, ratio: float) -> np.ndarray:
    if ratio <= 1.0:
        return bgr.copy()
    # OpenCV's OpenJPEG writer takes 1000 / (compression ratio) as "compression x1000".
    x1000 = int(np.clip(round(1000.0 / ratio), 1, 1000))
    ok, buf = cv2.imencode(".jp2", bgr, [cv2.IMWRITE_JPEG2000_COMPRESSION_X1000, x1000])
    if not ok:
        raise RuntimeError("OpenCV could not encode JPEG 2000")
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def _gain(bgr: np.ndarray, gain: float) -> np.ndarray:
    if gain == 1.0:
        return bgr.copy()
    return _to_srgb8(_to_linear(bgr) * gain)


def _low_contrast(bgr: np.ndarray, factor: float) -> np.ndarray:
    if factor >= 1.0:
        return bgr.copy()
    x = bgr.astype(np.float32)
    mean = x.mean()
    return _clip8(mean + (x - mean) * factor)


def distort(bgr: np.ndarray, kind: str, level: float, rng: np.random.Generator) -> np.ndarray:
    """Degrade a BGR uint8 image by ``kind`` at ``level`` in [0, LEVELS]; returns a new BGR uint8.

    ``rng`` supplies the noise and the motion direction, so a fixed seed gives a fixed result.
    """
    if bgr.dtype != np.uint8 or bgr.ndim != 3 or bgr.shape[2] != 3:
        raise ValueError("distort expects a BGR uint8 HxWx3 image")
    s = strength(kind, level)  # first: it rejects unknown kinds and levels with a clear message
    return _DISTORTERS[kind](bgr, s, rng)


def _blur_noise(bgr: np.ndarray, s: float, rng: np.random.Generator) -> np.ndarray:
    blurred = _gaussian_blur(bgr, strength("gaussian_blur", 0.7 * s))
    return _white_noise(blurred, strength("white_noise", 0.7 * s), rng)


def _noise_jpeg(bgr: np.ndarray, s: float, rng: np.random.Generator) -> np.ndarray:
    noisy = _camera_noise(bgr, strength("camera_noise", 0.7 * s), rng)
    return _jpeg(noisy, strength("jpeg", 0.7 * s))


_DISTORTERS: dict[str, Callable[[np.ndarray, float, np.random.Generator], np.ndarray]] = {
    "gaussian_blur": lambda bgr, s, rng: _gaussian_blur(bgr, s),
    "defocus_blur": lambda bgr, s, rng: _defocus_blur(bgr, s),
    "motion_blur": _motion_blur,
    "white_noise": _white_noise,
    "camera_noise": _camera_noise,
    "low_light": _low_light,
    "jpeg": lambda bgr, s, rng: _jpeg(bgr, s),
    "jpeg2000": lambda bgr, s, rng: _jpeg2000(bgr, s),
    "underexposure": lambda bgr, s, rng: _gain(bgr, s),
    "overexposure": lambda bgr, s, rng: _gain(bgr, s),
    "low_contrast": lambda bgr, s, rng: _low_contrast(bgr, s),
    "blur_noise": _blur_noise,
    "noise_jpeg": _noise_jpeg,
}


# --- full-reference target --------------------------------------------------------------------

_MS_WEIGHTS = np.array((0.0448, 0.2856, 0.3001, 0.2363, 0.1333))
_C1 = (0.01 * 255) ** 2
_C2 = (0.03 * 255) ** 2


def _luma(bgr: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)


def _ssim_terms(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Mean luminance term and mean contrast-structure term of SSIM (11x11 Gaussian, sigma 1.5)."""
    def blur(a: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(a, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)

    mx, my = blur(x), blur(y)
    vxx = blur(x * x) - mx * mx
    vyy = blur(y * y) - my * my
    vxy = blur(x * y) - mx * my
    lum = (2 * mx * my + _C1) / (mx * mx + my * my + _C1)
    cs = (2 * vxy + _C2) / (vxx + vyy + _C2)
    return float(lum.mean()), float(cs.mean())


def quality_target(ref: np.ndarray, dist: np.ndarray) -> float:
    """Full-reference quality of ``dist`` against its clean ``ref``, in [0, 1] (1 = identical).

    The geometric mean of MS-SSIM and single-scale SSIM, both on luma. MS-SSIM alone barely moves
    for fine noise and mild JPEG (its weight sits on coarse scales); full-resolution SSIM spreads
    those, while MS-SSIM keeps the coarse-scale luminance/contrast terms that fall with under- and
    over-exposure and low contrast. Both fall monotonically with every kind's level here
    (tests/unit/test_distortions.py checks it). Images smaller than ~180 px use fewer scales.
    """
    if ref.shape != dist.shape:
        raise ValueError(f"reference {ref.shape} and distorted {dist.shape} differ in size")
    x, y = _luma(ref), _luma(dist)
    weights: list[float] = []
    cs_values: list[float] = []
    lum = 1.0
    ssim_full = 1.0
    for w in _MS_WEIGHTS:
        lum, cs = _ssim_terms(x, y)
        if not weights:
            ssim_full = max(lum * cs, 0.0)
        weights.append(float(w))
        cs_values.append(max(cs, 1e-6))
        if min(x.shape) < 2 * 11 or len(weights) == len(_MS_WEIGHTS):
            break
        x = cv2.resize(x, (x.shape[1] // 2, x.shape[0] // 2), interpolation=cv2.INTER_AREA)
        y = cv2.resize(y, (y.shape[1] // 2, y.shape[0] // 2), interpolation=cv2.INTER_AREA)
    w = np.array(weights) / np.sum(weights)
    ms_ssim = max(lum, 1e-6) ** w[-1] * float(np.prod(np.power(cs_values, w)))
    return float(np.clip(np.sqrt(max(ms_ssim, 0.0) * ssim_full), 0.0, 1.0))


# --- photos and samples -----------------------------------------------------------------------

def load_photo(path: Path) -> np.ndarray:
    """Read a photo as BGR uint8 HxWx3 (grey photos are expanded to three channels)."""
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f"cannot read image {path}")
    return np.ascontiguousarray(img)


def _name_hash(path: Path) -> str:
    return hashlib.sha1(f"{path.parent.name}/{path.name}".encode()).hexdigest()


def split_photos(shared_root: Path | None = None) -> tuple[list[Path], list[Path]]:
    """(train, heldout) pristine photos: a fixed ~20% of each set, chosen by hashing file names.

    Raises FileNotFoundError when ``<shared_root>/data/pristine`` is absent.
    """
    root = (shared_root or default_shared_root()) / "data" / "pristine"
    if not root.is_dir():
        raise FileNotFoundError(f"pristine photos not found at {root}")
    train: list[Path] = []
    heldout: list[Path] = []
    for name in PRISTINE_SETS:
        files = sorted(p for p in (root / name).iterdir() if p.suffix.lower() in _PHOTO_SUFFIXES)
        by_hash = sorted(files, key=_name_hash)
        n_held = int(round(HELDOUT_FRACTION * len(files)))
        heldout.extend(sorted(by_hash[:n_held]))
        train.extend(sorted(by_hash[n_held:]))
    return train, heldout


@dataclass(frozen=True, slots=True)
class Sample:
    photo: Path
    kind: str
    level: float
    reference: np.ndarray
    image: np.ndarray
    target: float


def _seed_for(seed: int, photo: Path, kind: str, level: float, repeat: int) -> int:
    key = f"{seed}|{photo.parent.name}/{photo.name}|{kind}|{level:.6f}|{repeat}".encode()
    return int.from_bytes(hashlib.sha1(key).digest()[:8], "little")


def iter_samples(
    photos: Sequence[Path],
    kinds: Iterable[str] = KINDS,
    levels: Iterable[float] | None = None,
    seed: int = 0,
    random_levels_per_kind: int = 0,
    load: Callable[[Path], np.ndarray] | None = None,
) -> Iterator[Sample]:
    """Yield distorted samples of every photo x kind, deterministically for a given ``seed``.

    ``levels`` (default 1..LEVELS) is the fixed grid used for evaluation. With
    ``random_levels_per_kind > 0`` the grid is ignored and that many levels are drawn uniformly from
    (0, LEVELS] per photo and kind instead, for training (so no model learns only the grid).
    ``load`` (default :func:`load_photo`) lets an evaluation pass photos resized on reading.
    """
    kinds = tuple(kinds)
    grid = tuple(levels) if levels is not None else tuple(float(i) for i in range(1, LEVELS + 1))
    for photo in photos:
        ref = (load or load_photo)(photo)
        for kind in kinds:
            if random_levels_per_kind > 0:
                pick = np.random.default_rng(_seed_for(seed, photo, kind, -1.0, 0))
                chosen = tuple(float(v) for v in pick.uniform(0.0, LEVELS, random_levels_per_kind))
            else:
                chosen = grid
            for i, level in enumerate(chosen):
                rng = np.random.default_rng(_seed_for(seed, photo, kind, level, i))
                img = distort(ref, kind, level, rng)
                yield Sample(photo, kind, level, ref, img, quality_target(ref, img))
