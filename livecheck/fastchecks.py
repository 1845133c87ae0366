"""The per-frame fast checks: sharpness, exposure and noise, judged at viewing scale.

``assess(frame)`` is the hot path. Every hint describes what a person sees (:mod:`livecheck.view`:
the frame at its own size, or fitted to 1920 px when larger). It reads the frame three ways, cheaply:

* once through one downscale to a fixed *analysis size* (long side 256 px; smaller frames are used
  as they are): exposure, the strength of the strongest edges, and a texture map that says where
  to look;
* as the 8 most textured tiles, read at viewing scale, for the sharpness
  (:mod:`livecheck.sharpness`): a thumbnail makes any photo look sharp and 100% zoom any photo soft;
* as the 32 flattest tiles, read at viewing scale, for the noise estimates (:mod:`livecheck.noise`):
  the analysis downscale would average noise away, and at 100% zoom JPEG chroma looks like noise.

Metrics (names as in the JSON output):

``sharpness``
    At viewing scale: ratio of fine-scale to coarse-scale gradient on the strongest edges of the most
    textured tiles, in the worst of four directions (so linear motion blur is caught even when edges
    along the motion stay crisp). A step edge blurred far beyond both scales gives ~1.0; sharp photos
    read 2.0-4.0, text more. The ratio does not depend on edge contrast, so a sharp but low-texture
    scene is not "blurry"; the noise estimate's expected contribution is subtracted, so noise cannot
    make a blurred frame look sharp.
``acuity``
    At viewing scale, on the same edges in the worst direction: the fine gradient over twice the
    largest fine-scale detail within 6 px (:mod:`livecheck.sharpness`), ~0.2-0.45 on sharp photos.
    It catches what the sharpness cannot: a streak across thin strokes (text), smeared into faint
    bands with steep ends beside the strokes along the motion, which keep their contrast.
``blur_spread``
    How much sharper the best of those four directions is than the worst, ``(max - min) / min`` of
    their ratios: motion blur leaves edges along the motion crisp (a large spread), missed focus
    softens all of them alike (a small one). It tells the two apart when ``blurry``: ``blur_kind``.
``dark_mass``, ``bright_mass``, ``dark_below``
    Where light and dark lie, on a coarse picture of the frame (:mod:`livecheck.lighting`): the
    shares of it that are dark and bright, and how far the dark sits below the bright (``backlit``).
``motion``
    How far the whole picture moved since the previous frame, viewing pixels per frame interval
    (:mod:`livecheck.motion`; ``hold_still``). Only a stream has it: 0 for a single frame.
``edge_strength``
    Gradient (grey levels per analysis pixel, coarse scale) of those strongest edges. Below a few
    levels there is nothing to judge sharpness on (blank wall, lens cap).
``mean_luma``, ``p01``, ``p05``, ``p50``, ``p95``
    Mean and percentiles of Rec.601 luma, 0-255 (``p01``: the black level, which a veil lifts).
``local_contrast``
    0-1: how much contrast the frame's edges keep, in linear light (:mod:`livecheck.lighting`); a
    veil (haze, fog, dirty glass) shrinks it everywhere (``low_contrast``).
``clipped_dark``, ``clipped_bright``
    Fractions (0-1) of pixels at luma <= 4 and >= 251.
``colour_noise``
    Noise that differs between the colour channels, grey levels per channel at viewing scale
    (sensor noise; robust to texture, which is mostly luminance). 0 on grey frames. White Gaussian
    noise of sigma s at viewing scale reads s.
``luma_noise``
    Noise in brightness alone (video codecs and grey frames keep only this), grey levels per
    channel, by patch PCA on the quietest tiles. Noise of sigma s added to luma reads s. Fine
    stochastic texture (grass, gravel, film grain) reads as noise too, so the ``noisy`` hint asks
    more of it than of ``colour_noise``.
``noise_sigma``
    The larger of the two: the best single figure for "how noisy", used by the quality score.
``contrast``
    ``p95 - p05`` of luma, grey levels.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from livecheck import sharpness as sharpness_mod
from livecheck.hint import HINT_SPECS, Hint
from livecheck.kernels import edge_energy
from livecheck.lighting import backlight, local_contrast
from livecheck.noise import TILES as NOISE_TILES
from livecheck.noise import NoiseEstimate, estimate_noise
from livecheck.sharpness import BlurKind
from livecheck.thresholds import Thresholds
from livecheck.view import VIEW_SIZE, ViewScale, view_scale

ANALYSIS_SIZE = 256
"""Long side (px) of the image that exposure and edge strength are measured on."""
_AREA_MAX = 2 * ANALYSIS_SIZE
"""Frames up to this long side are area-averaged to the analysis size; larger ones are sampled with
INTER_LINEAR, which reads only the pixels it needs (an area average of a large frame reads all of
it). Nothing that aliasing could fool is measured on this image any more: sharpness and noise are
read on tiles at viewing scale."""
EDGE_COARSE_SIGMA = 2.0
"""Coarse scale (analysis pixels) of the analysis image's edge responses."""


class _Scratch(threading.local):
    """Per-thread work planes, reused while the analysis size stays the same.

    Not an optimisation of taste: in this hot path, fresh temporaries of a few hundred kB are
    handed back to the OS and faulted in again on every frame, which cost more than the arithmetic.
    Each thread gets its own set, so ``assess`` stays safe to call from several threads.
    """

    def __init__(self) -> None:
        self.shape: tuple[int, int] | None = None

    def for_shape(self, shape: tuple[int, int]) -> _Scratch:
        if self.shape != shape:
            self.fine, self.coarse, self.texture = (np.empty(shape, np.float32) for _ in range(3))
            self.shape = shape
        return self


_scratch = _Scratch()


@dataclass(frozen=True, slots=True)
class _EdgeEnergy:
    """Per direction (0, 90, 45, 135 degrees), over the pixels binned to it: the sums of
    fine x coarse^2, coarse^3 and coarse^2 responses; and the fine gradient map (|d/dx| + |d/dy|: how
    much structure each analysis pixel has, which the noise estimate uses to find flat tiles)."""

    fine: np.ndarray
    coarse: np.ndarray
    squares: np.ndarray
    texture: np.ndarray


@dataclass(frozen=True, slots=True)
class FrameMetrics:
    """What the fast checks measured on one frame (see the module docstring for each metric)."""

    sharpness: float
    edge_strength: float
    mean_luma: float
    p05: float
    p50: float
    p95: float
    clipped_dark: float
    clipped_bright: float
    colour_noise: float
    luma_noise: float
    noise_sigma: float
    contrast: float
    blur_spread: float = 0.0
    """Metrics added after the first four hints default to a neutral value, so that metrics from an
    older JSON line or a hand-built test frame still make a ``FrameMetrics``."""
    dark_mass: float = 0.0
    bright_mass: float = 0.0
    dark_below: float = 0.0
    p01: float = 0.0
    local_contrast: float = 1.0
    acuity: float = 1.0
    motion: float = 0.0
    """Viewing pixels the picture moved per frame interval since the previous frame
    (:mod:`livecheck.motion`): measured by the live pipeline, which has the previous frame, while
    ``hold_still`` is enabled; 0 from :func:`measure`, which sees one frame."""

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class Assessment:
    """One frame's metrics and the hints its metrics raise on their own (no debounce)."""

    metrics: FrameMetrics
    hints: frozenset[Hint]
    blur_kind: BlurKind | None = None
    """``motion`` or ``focus`` when the frame is ``blurry``, else None."""


def as_bgr(frame: np.ndarray) -> tuple[np.ndarray, bool]:
    """Validate a frame; return it as contiguous BGR uint8 and whether it was grey.

    Accepts uint8 HxW, HxWx1 (grey), HxWx3 (BGR), HxWx4 (BGRA; alpha ignored), any strides.
    Refuses float frames (their range, 0-1 or 0-255, is a guess) and 16-bit frames (10-, 12- and
    16-bit data need different scaling): convert those to 8-bit first.
    """
    if not isinstance(frame, np.ndarray):
        raise ValueError(f"frame must be a numpy array, got {type(frame).__name__}")
    if frame.dtype != np.uint8:
        if frame.dtype == np.uint16:
            raise ValueError("16-bit frames are not supported: convert to 8-bit first, "
                             "e.g. (frame >> 8).astype(np.uint8) for full-range 16-bit data")
        if np.issubdtype(frame.dtype, np.floating):
            raise ValueError("float frames are not supported: convert to uint8 first, "
                             "e.g. (np.clip(frame, 0, 1) * 255).round().astype(np.uint8) for 0-1 data")
        raise ValueError(f"frame dtype must be uint8, got {frame.dtype}")
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] not in (3, 4)):
        raise ValueError(f"frame must be HxW, HxWx1, HxWx3 or HxWx4, got shape {frame.shape}")
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ValueError(f"frame is empty (shape {frame.shape})")
    if frame.ndim == 2:
        return cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_GRAY2BGR), True
    if frame.shape[2] == 4:
        frame = frame[:, :, :3]
    return np.ascontiguousarray(frame), False


def _analysis_grey(bgr: np.ndarray) -> np.ndarray:
    """The analysis-size grey image (exposure, edge strength, and where the tiles go)."""
    h, w = bgr.shape[:2]
    long_side = max(h, w)
    if long_side <= ANALYSIS_SIZE:
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    s = ANALYSIS_SIZE / long_side
    size = (max(1, round(w * s)), max(1, round(h * s)))
    interpolation = cv2.INTER_AREA if long_side <= _AREA_MAX else cv2.INTER_LINEAR
    return cv2.cvtColor(cv2.resize(bgr, size, interpolation=interpolation), cv2.COLOR_BGR2GRAY)


def _exposure(grey: np.ndarray) -> tuple[float, float, float, float, float, float, float]:
    hist = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel()
    n = float(grey.size)
    cdf = np.cumsum(hist)
    p01, p05, p50, p95 = (float(i) for i in np.searchsorted(cdf, (0.01 * n, 0.05 * n, 0.5 * n, 0.95 * n)))
    mean = float(cv2.mean(grey)[0])
    clipped_dark = float(hist[:5].sum()) / n
    clipped_bright = float(hist[251:].sum()) / n
    return mean, p01, p05, p50, p95, clipped_dark, clipped_bright


def _edge_energy(grey: np.ndarray) -> _EdgeEnergy:
    """Fine- and coarse-scale edge responses of the analysis-size grey image, per direction.

    Each edge pixel counts in the direction closest to its gradient (a 45-degree bin), weighted by its
    squared coarse gradient: strong edges dominate, no sorting needed. Binning matters: the
    x-derivative of a near-horizontal sharp edge is sharp too, and would hide horizontal motion blur.
    The fine response is the strongest within one pixel, since an edge's exact position varies with
    scale. The sums are taken in C (livecheck/_edges.c), where NumPy needed ~40 array passes.
    """
    ws = _scratch.for_shape(grey.shape)
    np.copyto(ws.fine, grey)
    cv2.GaussianBlur(ws.fine, (0, 0), EDGE_COARSE_SIGMA, dst=ws.coarse)
    sums = np.empty((3, 4))
    edge_energy(ws.fine, ws.coarse, sums, ws.texture)
    return _EdgeEnergy(fine=sums[0], coarse=sums[1], squares=sums[2], texture=ws.texture)


def _edge_strength(energy: _EdgeEnergy) -> float:
    """Gradient of the analysis image's strongest edges (see the module docstring)."""
    coarse, squares = energy.coarse, energy.squares
    judged = coarse >= sharpness_mod.MIN_DIRECTION_SHARE * float(coarse.max())
    return float((coarse[judged] / squares[judged]).max()) if coarse.max() > 0.0 else 0.0


def measure(frame: np.ndarray, view_size: int = VIEW_SIZE) -> FrameMetrics:
    """Measure one frame as it looks fitted to ``view_size`` (:mod:`livecheck.view`; 0 = native
    pixels). See :func:`as_bgr` for what is accepted; ``ValueError`` otherwise."""
    bgr, grey_input = as_bgr(frame)
    return measure_prepared(bgr, grey_input, _analysis_grey(bgr), view_scale(bgr.shape, view_size))


@dataclass(frozen=True, slots=True)
class TileBudget:
    """How much of a frame the tile measurements read: the most textured ``sharpness`` tiles, the
    flattest ``noise`` tiles, and whether the acuity is measured on the sharpness tiles (when not,
    it reads the neutral 1.0)."""

    sharpness: int = sharpness_mod.TILES
    noise: int = NOISE_TILES
    acuity: bool = True


FRAME_BUDGET = TileBudget()
"""What a whole frame is measured with."""


def measure_prepared(bgr: np.ndarray, grey_input: bool, grey: np.ndarray, view: ViewScale,
                     noise_ceiling: NoiseEstimate | None = None, budget: TileBudget = FRAME_BUDGET) -> FrameMetrics:
    """:func:`measure` on a frame already validated (:func:`as_bgr`), with its analysis image
    ``grey`` and its viewing scale: so a part of a frame (:mod:`livecheck.regions`) is judged on the
    frame's own analysis image, at the frame's viewing scale, with its own tile ``budget``.
    ``noise_ceiling``: the most noise this part may read (the whole frame's: see
    :mod:`livecheck.regions`)."""
    mean, p01, p05, p50, p95, clipped_dark, clipped_bright = _exposure(grey)
    energy = _edge_energy(grey)
    noise = estimate_noise(bgr, grey_input, grey, energy.texture, view, budget.noise)
    if noise_ceiling is not None:
        noise = NoiseEstimate(min(noise.colour, noise_ceiling.colour), min(noise.luma, noise_ceiling.luma))
    noise_sigma = max(noise.colour, noise.luma)
    sums, pitch = sharpness_mod.edge_sums(bgr, energy.texture, view, budget.sharpness, budget.acuity)
    # A frame too thin to hold one tile at viewing scale has no sharpness to judge: no edges either.
    judged = bool(sums[1].any())
    ratios = sharpness_mod.direction_ratios(sums, noise_sigma * pitch)
    light = backlight(grey)
    return FrameMetrics(
        sharpness=sharpness_mod.sharpness(ratios),
        acuity=sharpness_mod.acuity(sums, noise_sigma * pitch) if budget.acuity else 1.0,
        blur_spread=sharpness_mod.direction_spread(ratios),
        edge_strength=_edge_strength(energy) if judged else 0.0,
        mean_luma=mean,
        p05=p05,
        p50=p50,
        p95=p95,
        clipped_dark=clipped_dark,
        clipped_bright=clipped_bright,
        colour_noise=noise.colour,
        luma_noise=noise.luma,
        noise_sigma=noise_sigma,
        contrast=p95 - p05,
        dark_mass=light.dark_mass,
        bright_mass=light.bright_mass,
        dark_below=light.dark_below,
        p01=p01,
        local_contrast=local_contrast(grey),
    )


def hint_condition(hint: Hint, m: FrameMetrics, th: Thresholds, holding: bool = False) -> bool:
    """Whether ``hint``'s frame condition holds (its declared rule, :data:`livecheck.hint.HINT_SPECS`).
    ``holding=False`` tests the *on* rule (may the hint be raised?); ``holding=True`` tests the
    looser *off* rule (should a shown hint stay?)."""
    return HINT_SPECS[hint].rule(m, th, holding)


def frame_hints(m: FrameMetrics, th: Thresholds) -> frozenset[Hint]:
    """The hints this frame raises on its own (on rules, disabled hints left out)."""
    return frozenset(h for h, spec in HINT_SPECS.items() if th.enabled(h) and spec.rule(m, th, False))


_DEFAULT_THRESHOLDS = Thresholds()


def assess(frame: np.ndarray, thresholds: Thresholds = _DEFAULT_THRESHOLDS,
           view_size: int = VIEW_SIZE) -> Assessment:
    """Measure one frame at its viewing scale and list the hints it raises on its own. Thread-safe;
    no state."""
    metrics = measure(frame, view_size)
    hints = frame_hints(metrics, thresholds)
    return Assessment(metrics, hints, frame_blur_kind(metrics, hints, thresholds))


def frame_blur_kind(m: FrameMetrics, hints: frozenset[Hint], th: Thresholds) -> BlurKind | None:
    """The kind of blur when ``hints`` (the frame's own, or the debounced ones) hold ``blurry``."""
    return sharpness_mod.blur_kind(m.blur_spread, th.motion_spread) if Hint.BLURRY in hints else None
