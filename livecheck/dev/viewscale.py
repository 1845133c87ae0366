"""A viewing-scale synthetic test set for the per-frame hints (blurry / noisy), on real photos.

    python scripts/viewscale.py [--limit N] [--jobs J] [--show OUTDIR]

The contract under test: a frame is judged as a person sees it, shown at its own size, or fitted to
a 1920-px long side when it is larger. Defect strengths here are given AT THAT VIEWING SCALE. With
``f = max(1, native_long_side / 1920)``, a Gaussian blur of sigma ``s`` at view scale is ``s * f``
native px, a motion streak of ``L`` px is ``L * f`` native px, and a noise of sigma ``s`` grey levels
at view scale is noise that, at the end of the pipeline and fitted to the view, differs from the
same case rendered without it by ``s`` (std per channel, :func:`visible_noise`): each noise case is
calibrated on itself, since the chroma blur, sharpening and JPEG below change the noise added in
linear light by a factor that depends on the scene and the resolution.

Sources: the photos labelled ``clean`` in ``real_hr/labels.csv`` (``sharp/`` and ``wild/``). Each is
rendered at ``720p`` (long side 1280), ``1080p`` (1920), ``4k`` (3840) and ``native`` (its own size,
but at least 12 MP: smaller photos are upscaled with Lanczos to ~12 MP), with every defect of
:data:`DEFECTS`, through a camera-like pipeline (every case, ``sharp`` too):

1. resize the source to the target size (downscale INTER_AREA, upscale INTER_LANCZOS4): the scene;
2. sRGB uint8 -> linear light float32 (the standard sRGB curve);
3. blur in linear light (Gaussian, or an anti-aliased line kernel for motion);
4. signal-dependent noise in linear light (variance ``a*x + b``, 80% shot / 20% floor at mid-grey),
   60% shared between channels + 40% independent, smoothed with a Gaussian of sigma 0.6 native px;
   its amplitude starts where its sigma, measured per channel on sRGB mid-grey (128) after an area
   downscale to the view size, is the requested one (:func:`noise_gain`), and is then scaled until
   the finished case shows the requested sigma at viewing scale (:func:`visible_noise`, within 3%);
5. back to sRGB uint8;
6. demosaic-like chroma blur (YCrCb, Gaussian sigma 0.7 native px on Cr/Cb);
7. mild chroma denoise (Gaussian sigma 1.0 native px on Cr/Cb; luma untouched);
8. unsharp mask on luma (sigma 1 native px, amount drawn from 0.3-0.8);
9. JPEG (quality drawn from 70-95, OpenCV's default 4:2:0 subsampling) and decode.

Every random draw is seeded from sha256(source, resolution, defect). Rendered cases are cached as
their JPEG bytes (exact, the pipeline ends with JPEG) in ``$LIVECHECK_CACHE/viewscale/v2/`` (default
``~/.cache/livecheck``), named ``<source-stem>__<resolution>__<defect>.jpg``. Bump
:data:`CACHE_VERSION` when the pipeline changes.

Public API (scripts/eval_hints.py imports it)::

    RESOLUTIONS, DEFECTS, EXPECT, Case, sources(data), render(bgr, source, resolution, defect),
    build(data, resolutions, defects, limit, jobs), cache_dir(), view_fit(bgr), target_size(w, h, res)
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from livecheck.dev import shared_root

RESOLUTIONS: tuple[str, ...] = ("720p", "1080p", "4k", "native")
DEFECTS: tuple[str, ...] = ("sharp", "gauss0.5", "gauss2.5", "motion8", "noise1", "noise5")
# defect -> (the hint it concerns, whether that hint must be raised). ``sharp`` concerns no single
# hint: it must raise neither ``blurry`` nor ``noisy``.
EXPECT: dict[str, tuple[str | None, bool]] = {
    "sharp": (None, False),
    "gauss0.5": ("blurry", False),
    "gauss2.5": ("blurry", True),
    "motion8": ("blurry", True),
    "noise1": ("noisy", False),
    "noise5": ("noisy", True),
}

VIEW_LONG_SIDE = 1920
NATIVE_MIN_PIXELS = 12_000_000
CACHE_VERSION = "v2"
_LONG_SIDE = {"720p": 1280, "1080p": 1920, "4k": 3840}

# Defect strengths at view scale.
_GAUSS_SIGMA = {"gauss0.5": 0.5, "gauss2.5": 2.5}
_MOTION_LENGTH = {"motion8": 8.0}
_NOISE_SIGMA = {"noise1": 1.0, "noise5": 5.0}

# Camera pipeline constants (native px).
NOISE_SMOOTH_SIGMA = 0.6
NOISE_SHARED = 0.6  # variance share common to the three channels (luma-correlated)
NOISE_SHOT_SHARE = 0.8  # share of the noise variance at mid-grey that scales with the signal
DEMOSAIC_CHROMA_SIGMA = 0.7
DENOISE_CHROMA_SIGMA = 1.0
SHARPEN_SIGMA = 1.0
SHARPEN_AMOUNT = (0.3, 0.8)
JPEG_QUALITY = (70, 95)

_MID_GREY = 128
VISIBLE_LUMA = (16, 239)
"""Clean luma range (0-255) that :func:`visible_noise` measures over: clipping hides noise."""
CALIBRATION_TOLERANCE = 0.03
CALIBRATION_ROUNDS = 8
"""A noise case's visible sigma is within this share of its named sigma, found in at most this many
noisy renders (3-5 on the real_hr photos)."""


@dataclass(frozen=True)
class Case:
    source: str  # the source photo's stem
    resolution: str
    defect: str
    path: Path  # the cached JPEG


# ---------------------------------------------------------------------------------------------
# sRGB <-> linear


def _srgb_to_linear(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(x: np.ndarray) -> np.ndarray:
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1.0 / 2.4) - 0.055)


_TO_LINEAR = _srgb_to_linear(np.arange(256) / 255.0).astype(np.float32)
_LUT_BITS = 16
_LUT_N = (1 << _LUT_BITS) - 1
# linear value i/_LUT_N -> rounded sRGB uint8 (max error ~0.03 grey levels near black)
_TO_SRGB8 = np.round(255.0 * _linear_to_srgb(np.arange(_LUT_N + 1) / _LUT_N)).astype(np.uint8)


def to_linear(bgr8: np.ndarray) -> np.ndarray:
    """sRGB uint8 -> linear light float32 in [0, 1]."""
    return _TO_LINEAR[bgr8]


def to_srgb8(lin: np.ndarray) -> np.ndarray:
    """Linear light float -> sRGB uint8 (clipped, rounded)."""
    idx = np.clip(lin, 0.0, 1.0) * np.float32(_LUT_N) + np.float32(0.5)
    return _TO_SRGB8[idx.astype(np.int32)]


def _srgb_slope(x: float) -> float:
    """d(sRGB grey level, 0..255) / d(linear) at linear value ``x``."""
    if x <= 0.0031308:
        return 255.0 * 12.92
    return 255.0 * 1.055 / 2.4 * x ** (1.0 / 2.4 - 1.0)


# ---------------------------------------------------------------------------------------------
# sizes


def target_size(width: int, height: int, resolution: str) -> tuple[int, int]:
    """(w, h) of a ``width`` x ``height`` photo rendered at ``resolution`` (aspect kept)."""
    long_side = max(width, height)
    if resolution == "native":
        pixels = width * height
        scale = 1.0 if pixels >= NATIVE_MIN_PIXELS else math.sqrt(NATIVE_MIN_PIXELS / pixels)
    elif resolution in _LONG_SIDE:
        scale = _LONG_SIDE[resolution] / long_side
    else:
        raise ValueError(f"unknown resolution {resolution!r}; known: {', '.join(RESOLUTIONS)}")
    if width >= height:
        w = _LONG_SIDE.get(resolution, round(width * scale))
        return w, max(1, round(height * w / width))
    h = _LONG_SIDE.get(resolution, round(height * scale))
    return max(1, round(width * h / height)), h


def view_factor(width: int, height: int) -> float:
    """``f``: how many native px one view px spans (1 up to a 1920-px long side)."""
    return max(1.0, max(width, height) / VIEW_LONG_SIDE)


def view_size(width: int, height: int) -> tuple[int, int]:
    f = view_factor(width, height)
    return max(1, round(width / f)), max(1, round(height / f))


def _resize(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    h, w = img.shape[:2]
    if (w, h) == size:
        return img.copy()
    down = size[0] * size[1] < w * h
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA if down else cv2.INTER_LANCZOS4)


def view_fit(img: np.ndarray) -> np.ndarray:
    """The frame as a person sees it: as is, or area-downscaled to a 1920-px long side."""
    h, w = img.shape[:2]
    size = view_size(w, h)
    if size == (w, h):
        return img
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


# ---------------------------------------------------------------------------------------------
# defects


def _rng(source: str, resolution: str, defect: str) -> np.random.Generator:
    digest = hashlib.sha256(f"viewscale|{source}|{resolution}|{defect}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


def motion_kernel(length: float, angle_deg: float, supersample: int = 8) -> np.ndarray:
    """A normalised, anti-aliased line kernel: a streak of ``length`` px at ``angle_deg``."""
    size = math.ceil(length) + 2
    size += 1 - size % 2  # odd, so the kernel is centred
    ss = supersample
    canvas = np.zeros((size * ss, size * ss), np.float32)
    c = (size * ss - 1) / 2.0
    half = max(0.0, (length - 1.0) / 2.0) * ss  # the 1-px-wide stroke's round caps add 1 px
    dx, dy = half * math.cos(math.radians(angle_deg)), half * math.sin(math.radians(angle_deg))
    shift = 4  # sub-pixel endpoints
    p0 = (round((c - dx) * (1 << shift)), round((c - dy) * (1 << shift)))
    p1 = (round((c + dx) * (1 << shift)), round((c + dy) * (1 << shift)))
    cv2.line(canvas, p0, p1, 1.0, thickness=ss, lineType=cv2.LINE_AA, shift=shift)
    kernel = cv2.resize(canvas, (size, size), interpolation=cv2.INTER_AREA)
    return kernel / kernel.sum()


def _smooth(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT_101)


def _unit_noise(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Per-channel unit-variance noise, 60% shared / 40% independent, smoothed (sigma 0.6 px)."""
    h, w = shape
    shared = rng.standard_normal((h, w, 1), dtype=np.float32)
    own = rng.standard_normal((h, w, 3), dtype=np.float32)
    z = np.float32(math.sqrt(NOISE_SHARED)) * shared + np.float32(math.sqrt(1.0 - NOISE_SHARED)) * own
    return _smooth(z, NOISE_SMOOTH_SIGMA)


@lru_cache(maxsize=64)
def noise_gain(native_w: int, native_h: int) -> float:
    """Amplitude that makes :func:`_unit_noise` at this native size have std 1 at view scale.

    Measured numerically: a patch of the field at the same native:view ratio, area-downscaled as
    :func:`view_fit` would, and its std taken (the smoothing correlates neighbouring pixels, so the
    downscale divides it by less than ``f``).
    """
    f = view_factor(native_w, native_h)
    view = 512
    native = max(view, round(view * f))
    z = _unit_noise((native, native), np.random.default_rng(12345))
    if native != view:
        z = cv2.resize(z, (view, view), interpolation=cv2.INTER_AREA)
    return 1.0 / float(z[8:-8, 8:-8].std())


def _noise_linear(lin: np.ndarray, sigma_view: float, rng: np.random.Generator) -> np.ndarray:
    """Adds the camera-like noise (step 4) to a linear-light image, in place; returns it."""
    h, w = lin.shape[:2]
    x_mid = float(_TO_LINEAR[_MID_GREY])
    sigma_mid = sigma_view * noise_gain(w, h) / _srgb_slope(x_mid)  # linear sigma at mid-grey
    z = _unit_noise((h, w), rng)
    # variance a*x + b, normalised to 1 at mid-grey
    a = np.float32(NOISE_SHOT_SHARE / x_mid)
    b = np.float32(1.0 - NOISE_SHOT_SHARE)
    z *= np.sqrt(np.maximum(lin, 0.0) * a + b) * np.float32(sigma_mid)
    lin += z
    return lin


def add_noise8(bgr8: np.ndarray, sigma_view: float, rng: np.random.Generator) -> np.ndarray:
    """Steps 2, 4, 5 alone (sRGB -> linear, noise, -> sRGB): for checking the calibration."""
    return to_srgb8(_noise_linear(to_linear(bgr8), sigma_view, rng))


# ---------------------------------------------------------------------------------------------
# the pipeline


@dataclass(frozen=True)
class _Draws:
    """A case's random draws, made before anything else so that the noise-free and noisy renders
    that calibrate a noise case (:func:`_camera`) share every one of them."""

    angle: float
    amount: float
    quality: int
    noise_seed: int


def _draw(rng: np.random.Generator) -> _Draws:
    angle = float(rng.uniform(0.0, 180.0))
    amount = float(rng.uniform(*SHARPEN_AMOUNT))
    quality = int(rng.integers(JPEG_QUALITY[0], JPEG_QUALITY[1] + 1))
    return _Draws(angle, amount, quality, int(rng.integers(0, 2**63)))


def _pipeline(lin: np.ndarray, defect: str, f: float, draws: _Draws, noise_amplitude: float) -> bytes:
    """Steps 3-9 on a linear-light scene (consumed), the noise of step 4 at ``noise_amplitude`` (0:
    none); returns the JPEG bytes."""
    if defect in _GAUSS_SIGMA:  # 3. blur in linear light
        lin = _smooth(lin, _GAUSS_SIGMA[defect] * f)
    elif defect in _MOTION_LENGTH:
        lin = cv2.filter2D(lin, -1, motion_kernel(_MOTION_LENGTH[defect] * f, draws.angle),
                           borderType=cv2.BORDER_REFLECT_101)
    if noise_amplitude > 0.0:  # 4. noise in linear light
        lin = _noise_linear(lin, noise_amplitude, np.random.default_rng(draws.noise_seed))
    bgr8 = to_srgb8(lin)  # 5.
    del lin

    ycc = cv2.cvtColor(bgr8, cv2.COLOR_BGR2YCrCb).astype(np.float32)
    chroma = ycc[:, :, 1:].copy()
    chroma = _smooth(chroma, DEMOSAIC_CHROMA_SIGMA)  # 6. demosaic-like chroma blur
    chroma = _smooth(chroma, DENOISE_CHROMA_SIGMA)  # 7. mild chroma denoise
    y = ycc[:, :, 0]
    y += np.float32(draws.amount) * (y - _smooth(y, SHARPEN_SIGMA))  # 8. unsharp mask on luma
    ycc[:, :, 1:] = chroma
    out = cv2.cvtColor(np.clip(np.rint(ycc), 0, 255).astype(np.uint8), cv2.COLOR_YCrCb2BGR)

    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, draws.quality])  # 9. (4:2:0)
    if not ok:
        raise RuntimeError("JPEG encode failed")
    return buf.tobytes()


def visible_noise(noisy: np.ndarray, clean: np.ndarray) -> float:
    """The noise a person sees in ``noisy``: the std of ``noisy - clean`` (the same case rendered
    without noise) at viewing scale, per channel (RMS over B, G, R), over the pixels whose clean luma
    lies in ``VISIBLE_LUMA`` (clipping hides noise, and would make the figure depend on the scene)."""
    a, b = view_fit(noisy).astype(np.float32), view_fit(clean).astype(np.float32)
    luma = cv2.cvtColor(b, cv2.COLOR_BGR2GRAY)
    inside = (luma >= VISIBLE_LUMA[0]) & (luma <= VISIBLE_LUMA[1])
    if not inside.any():
        raise ValueError("no unclipped pixels to measure the noise on")
    return float(np.sqrt(np.mean(np.var((a - b)[inside], axis=0))))


def _camera(lin: np.ndarray, defect: str, f: float, rng: np.random.Generator) -> bytes:
    """Steps 3-9 on a linear-light scene (consumed); returns the JPEG bytes.

    A noise case is calibrated on itself, so that its named sigma is what is visible at viewing
    scale (:func:`visible_noise`), as the contract defines it: the chroma blur, the sharpening and
    JPEG change the noise by a factor that depends on the scene and the resolution (1.0-2.8 on the
    real_hr photos, the most for weak noise),
    so the case is rendered without noise, then with noise until it measures within
    ``CALIBRATION_TOLERANCE`` of the named sigma (at most ``CALIBRATION_ROUNDS`` renders)."""
    if defect not in EXPECT:
        raise ValueError(f"unknown defect {defect!r}; known: {', '.join(DEFECTS)}")
    draws = _draw(rng)
    if defect not in _NOISE_SIGMA:
        return _pipeline(lin, defect, f, draws, 0.0)
    target = _NOISE_SIGMA[defect]
    clean = _decode(_pipeline(lin.copy(), defect, f, draws, 0.0))
    amplitude, previous = target, None
    for _ in range(CALIBRATION_ROUNDS):
        data = _pipeline(lin.copy(), defect, f, draws, amplitude)
        measured = max(visible_noise(_decode(data), clean), 1e-3)
        if abs(measured / target - 1.0) <= CALIBRATION_TOLERANCE:
            break
        # The noise field is the same, only scaled, but JPEG drops weak noise and requantizes, so the
        # visible sigma is not proportional to the amplitude: a ratio step first, then the secant
        # of log(visible) against log(amplitude) through the last two renders.
        slope = 1.0
        if previous is not None and previous[1] != measured and previous[0] != amplitude:
            slope = math.log(measured / previous[1]) / math.log(amplitude / previous[0])
        previous = (amplitude, measured)
        amplitude *= (target / measured) ** (1.0 / min(max(slope, 0.25), 2.0))
    return data


def _scene(bgr: np.ndarray, resolution: str) -> np.ndarray:
    h, w = bgr.shape[:2]
    return _resize(bgr, target_size(w, h, resolution))


def render_jpeg(bgr: np.ndarray, source: str, resolution: str, defect: str) -> bytes:
    """The whole pipeline on a source photo (BGR uint8); the JPEG bytes it ends with."""
    scene = _scene(bgr, resolution)
    h, w = scene.shape[:2]
    return _camera(to_linear(scene), defect, view_factor(w, h), _rng(source, resolution, defect))


def _decode(data: bytes) -> np.ndarray:
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise RuntimeError("JPEG decode failed")
    return img


def render(bgr: np.ndarray, source: str, resolution: str, defect: str) -> np.ndarray:
    """uint8 BGR after the whole pipeline (deterministic in source, resolution and defect)."""
    return _decode(render_jpeg(bgr, source, resolution, defect))


# ---------------------------------------------------------------------------------------------
# sources, cache, build


def _real_hr(data: Path) -> Path:
    data = Path(data)
    return data if (data / "labels.csv").is_file() else data / "real_hr"


def sources(data: Path) -> list[Path]:
    """The photos labelled ``clean`` in ``<data>/real_hr/labels.csv`` (sorted by their csv path)."""
    root = _real_hr(data)
    with open(root / "labels.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["label"].strip() == "clean"]
    return [root / r["path"] for r in sorted(rows, key=lambda r: r["path"])]


def cache_dir() -> Path:
    """``$LIVECHECK_CACHE/viewscale/v2`` (default base ``~/.cache/livecheck``)."""
    base = os.environ.get("LIVECHECK_CACHE")
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "livecheck"
    return root / "viewscale" / CACHE_VERSION


def case_path(source: str, resolution: str, defect: str) -> Path:
    return cache_dir() / f"{source}__{resolution}__{defect}.jpg"


def load_source(path: Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)  # applies the EXIF orientation
    if img is None:
        raise OSError(f"cannot read {path}")
    return img


def _render_source(job: tuple[str, tuple[tuple[str, str], ...]]) -> tuple[str, int, float]:
    """Worker: renders the missing (resolution, defect) cases of one source into the cache."""
    cv2.setNumThreads(1)
    path_str, todo = job
    t0 = time.perf_counter()
    path = Path(path_str)
    bgr = load_source(path)
    done = 0
    for resolution in dict.fromkeys(r for r, _ in todo):
        scene = _scene(bgr, resolution)
        h, w = scene.shape[:2]
        lin0 = to_linear(scene)
        for res, defect in todo:
            if res != resolution:
                continue
            data = _camera(lin0.copy(), defect, view_factor(w, h), _rng(path.stem, resolution, defect))
            out = case_path(path.stem, resolution, defect)
            tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, out)
            done += 1
    return path.stem, done, time.perf_counter() - t0


def build(data: Path, resolutions: Sequence[str] = RESOLUTIONS, defects: Sequence[str] = DEFECTS,
          limit: int | None = None, jobs: int = 2) -> list[Case]:
    """Renders the cases missing from the cache (``jobs`` worker processes); returns all cases."""
    for r in resolutions:
        if r not in RESOLUTIONS:
            raise ValueError(f"unknown resolution {r!r}; known: {', '.join(RESOLUTIONS)}")
    for d in defects:
        if d not in EXPECT:
            raise ValueError(f"unknown defect {d!r}; known: {', '.join(DEFECTS)}")
    srcs = sources(data)[:limit] if limit is not None else sources(data)
    cache_dir().mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    work: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    for src in srcs:
        todo = []
        for r in resolutions:
            for d in defects:
                p = case_path(src.stem, r, d)
                cases.append(Case(src.stem, r, d, p))
                if not p.is_file():
                    todo.append((r, d))
        if todo:
            work.append((str(src), tuple(todo)))
    _render_all(work, jobs)
    return cases


def _render_all(work: list[tuple[str, tuple[tuple[str, str], ...]]], jobs: int) -> None:
    if jobs <= 1 or len(work) <= 1:
        for job in work:
            _render_source(job)
        return
    # spawn: no OpenCV thread pool inherited through fork
    with multiprocessing.get_context("spawn").Pool(min(jobs, len(work))) as pool:
        for _ in pool.imap_unordered(_render_source, work):
            pass


# ---------------------------------------------------------------------------------------------
# CLI


def _default_data() -> Path:
    return shared_root() / "data"


def _show(cases: list[Case], outdir: Path, n_sources: int = 3) -> list[Path]:
    """Centre 600x400 crops of the view-fitted images, for a person to look at."""
    outdir.mkdir(parents=True, exist_ok=True)
    names = list(dict.fromkeys(c.source for c in cases))
    step = max(1, len(names) // n_sources)
    picked = names[::step][:n_sources]
    written = []
    for src in picked:
        for res in ("1080p", "4k"):
            tiles = []
            for c in cases:
                if c.source != src or c.resolution != res:
                    continue
                view = view_fit(cv2.imread(str(c.path), cv2.IMREAD_COLOR))
                h, w = view.shape[:2]
                y0, x0 = max(0, (h - 400) // 2), max(0, (w - 600) // 2)
                crop = np.ascontiguousarray(view[y0:y0 + 400, x0:x0 + 600])
                p = outdir / f"{src}__{res}__{c.defect}.png"
                cv2.imwrite(str(p), crop)
                written.append(p)
                tile = crop.copy()
                cv2.putText(tile, c.defect, (8, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 4, cv2.LINE_AA)
                cv2.putText(tile, c.defect, (8, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (255, 255, 255), 2,
                            cv2.LINE_AA)
                tiles.append(tile)
            if tiles:
                while len(tiles) % 3:
                    tiles.append(np.zeros_like(tiles[0]))
                rows = [np.hstack(tiles[i:i + 3]) for i in range(0, len(tiles), 3)]
                sheet = outdir / f"sheet__{src}__{res}.png"
                cv2.imwrite(str(sheet), np.vstack(rows))
                written.append(sheet)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=_default_data(), help="shared data folder")
    ap.add_argument("--limit", type=int, default=None, help="only the first N sources")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--show", type=Path, default=None, help="write view-scale crops here (PNG)")
    args = ap.parse_args(argv)
    if not (_real_hr(args.data) / "labels.csv").is_file():
        print(f"no real_hr/labels.csv under {args.data}", file=sys.stderr)
        return 2
    before = sum(1 for _ in cache_dir().glob("*.jpg")) if cache_dir().is_dir() else 0
    t0 = time.perf_counter()
    cases = build(args.data, limit=args.limit, jobs=args.jobs)
    dt = time.perf_counter() - t0
    n_src = len({c.source for c in cases})
    size = sum(c.path.stat().st_size for c in cases)
    after = sum(1 for _ in cache_dir().glob("*.jpg"))
    print(f"{len(cases)} cases ({n_src} sources x {len(RESOLUTIONS)} resolutions x {len(DEFECTS)} defects), "
          f"{max(0, after - before)} rendered now, in {dt:.1f} s; cache {cache_dir()} ({size / 1e6:.0f} MB)")
    if args.show is not None:
        written = _show(cases, args.show)
        print(f"wrote {len(written)} PNGs to {args.show}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
