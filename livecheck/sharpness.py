"""Sharpness at viewing scale: how crisp the frame's strongest edges look on a screen.

Measured on the ``TILES`` most textured of the candidate tiles (judged on the analysis image), each
``TILE`` viewing pixels square and read at viewing scale (:mod:`livecheck.view`), so that a 12-MP
photo is judged as it is seen fitted to the screen, not as a 256-px thumbnail (where any photo looks
sharp) nor at 100% zoom (where any photo looks soft). The most textured tiles hold the subject's
edges, so a sharp subject before a defocused background reads sharp.

On those tiles: the ratio of fine-scale to coarse-scale gradient on the strongest edges, in the
worst of four directions (so that linear motion blur is caught even when the edges along the motion
stay crisp). For a step edge of width ``s`` and a coarse scale ``c`` (both in viewing pixels) the
ratio is about ``sqrt(s^2 + c^2) / s``: it does not depend on the edge's contrast, reads ~1.0 for an
edge blurred far beyond ``c``, and falls steeply across the 1-3 px widths that separate "looks sharp"
from "looks soft" on a screen. Noise lifts the fine-scale response; its expected share (from the
noise estimate) is taken off, so noise cannot make a blurred frame look sharp.

The ratio misses one kind of blur: a linear streak across thin strokes (text, wires, twigs). A
stroke thinner than the streak is smeared into a faint band whose two ends are as steep as the
stroke was thin, so every edge still reads sharp; what gives it away is that the band is faint next
to the strokes along the motion, which keep their full contrast. The *acuity* reads that: on the
same edges, in the worst direction, the fine gradient over twice the largest fine-scale detail
(``|image - coarse|``) within ``ACUITY_REACH`` viewing pixels, a contrast-free ~0.2-0.45 on sharp
photos whatever their content. It hardly moves under an isotropic blur (the detail nearby softens
too), which the ratio catches.
"""
from __future__ import annotations

import threading
from enum import Enum

import cv2
import numpy as np

from livecheck.kernels import edge_energy
from livecheck.tiles import candidates, footprint_sums
from livecheck.view import ViewScale, binned

TILE = 64
"""Side of a tile, viewing pixels."""
TILES = 8
"""How many tiles are read: the most textured candidates."""
COARSE_SIGMA = 2.0
"""The coarse scale (Gaussian sigma, viewing pixels) that the fine gradient is compared with."""
NOISE_GAIN = 0.6
"""Lift of the fine-scale edge response per unit of noise sigma, relative to edge strength: with it,
white noise of sigma 8 moves a blurred frame's sharpness by less than 0.1 (tests/unit/test_fastchecks.py)."""
MIN_DIRECTION_SHARE = 0.001
"""A direction is judged only if its edges carry this share of the strongest direction's energy:
very low, because motion blur is exactly what weakens the edges across the motion, and at viewing
scale a shake of a few pixels leaves them under a hundredth of it."""
ACUITY_REACH = 6
"""How far (viewing pixels) the acuity looks for the finest detail near an edge: beyond the 6-px
streak the contract asks to catch, within a letter's size at a readable text size."""
ACUITY_NOISE_GAIN = 0.5
"""Share of the fine response's expected noise part (``NOISE_GAIN``) taken off the acuity: half, as
noise lifts the detail nearby too, so the acuity moves little with it; with the whole taken off,
strong noise would make sharp text read as smeared."""
SPREAD_FLOOR = 0.5
"""The worst ratio is taken as at least this in :func:`direction_spread`: noise correction can push
a smeared direction's ratio towards 0, which would make any spread look enormous."""


class BlurKind(str, Enum):
    """What kind of blur a blurry frame has (the string values are part of the JSON contract)."""

    MOTION = "motion"
    """Directional: the camera or the subject moved (hold still)."""
    FOCUS = "focus"
    """Isotropic: focus missed (tap to focus)."""

    def __str__(self) -> str:
        return self.value


def blur_kind(spread: float, motion_spread: float) -> BlurKind:
    """``MOTION`` when the :func:`direction_spread` exceeds ``motion_spread``, else ``FOCUS``."""
    return BlurKind.MOTION if spread > motion_spread else BlurKind.FOCUS


class _Scratch(threading.local):
    """Per-thread buffers the edge kernel writes into: one tile's sums, and the texture map it also
    writes (unused here: the tiles were chosen on the analysis image's)."""

    def __init__(self) -> None:
        self.part = np.empty((4, 4))
        self.texture: np.ndarray | None = None

    def texture_plane(self, side: int) -> np.ndarray:
        if self.texture is None or self.texture.shape != (side, side):
            self.texture = np.empty((side, side), np.float32)
        return self.texture


_scratch = _Scratch()


def edge_sums(bgr: np.ndarray, analysis_texture: np.ndarray, view: ViewScale, tiles: int = TILES,
              with_acuity: bool = True) -> tuple[np.ndarray, float]:
    """Per direction, the fine x coarse^2, coarse^3, coarse^2 and acuity x coarse^2 sums over the
    ``tiles`` most textured tiles at viewing scale (see ``livecheck/_edges.c``; the last row stays 0
    without ``with_acuity``); and the binned pixels per viewing pixel they were read at."""
    h, w = bgr.shape[:2]
    k = view.bin
    side = min(round(TILE * view.pitch) * k, h // k * k, w // k * k)
    sums = np.zeros((4, 4))
    if side < 4 * k:
        return sums, view.pitch
    c = candidates(h, w, side, *analysis_texture.shape)
    chosen = c.top_left[np.argsort(-footprint_sums(c, analysis_texture), kind="stable")[:tiles]]
    ws = _scratch
    texture = ws.texture_plane(side // k)
    sigma = COARSE_SIGMA * view.pitch
    reach = max(1, round(ACUITY_REACH * view.pitch)) if with_acuity else 0
    for y, x in chosen:
        tile = binned(bgr[y:y + side, x:x + side], k)
        fine = cv2.cvtColor(tile, cv2.COLOR_BGR2GRAY).astype(np.float32)
        edge_energy(fine, cv2.GaussianBlur(fine, (0, 0), sigma), ws.part, texture, reach)
        sums += ws.part
    return sums, view.pitch


def direction_ratios(sums: np.ndarray, noise_sigma: float) -> np.ndarray:
    """Per direction, the noise-corrected fine/coarse ratio from :func:`edge_sums`; NaN for a
    direction not judged (see ``MIN_DIRECTION_SHARE``), all NaN when there is no edge at all.
    ``noise_sigma`` in grey levels at the tiles' own pitch."""
    fine, coarse, squares = sums[:3]
    ratios = np.full(coarse.shape, np.nan)
    best = float(coarse.max())
    if best <= 0.0:
        return ratios
    judged = coarse >= MIN_DIRECTION_SHARE * best
    strength = coarse[judged] / squares[judged]
    ratios[judged] = fine[judged] / coarse[judged] - NOISE_GAIN * noise_sigma / strength
    return ratios


def acuity(sums: np.ndarray, noise_sigma: float) -> float:
    """The worst judged direction's acuity from the sums of :func:`edge_sums` (see the module
    docstring; 0 when there is no edge), less ``ACUITY_NOISE_GAIN`` of its expected noise part.
    ``noise_sigma`` in grey levels at the tiles' own pitch."""
    fine, coarse, squares, sharp = sums
    best = float(coarse.max())
    if best <= 0.0:
        return 0.0
    judged = coarse >= MIN_DIRECTION_SHARE * best
    noise_share = ACUITY_NOISE_GAIN * NOISE_GAIN * noise_sigma * squares[judged] / fine[judged]
    return max(float((sharp[judged] / squares[judged] * (1.0 - noise_share)).min()), 0.0)


def sharpness(ratios: np.ndarray) -> float:
    """The worst judged direction's ratio from :func:`direction_ratios` (0 when there is no edge)."""
    return max(float(np.nanmin(ratios)), 0.0) if not np.isnan(ratios).all() else 0.0


def direction_spread(ratios: np.ndarray) -> float:
    """How much sharper the best direction is than the worst, ``(max - min) / min`` of
    :func:`direction_ratios` (0 when there is no edge). Motion blur smears edges across the motion
    only, so it leaves one direction far sharper than another; missed focus softens every direction
    alike. A direction not judged (its edges all but gone: a long streak) counts as the worst."""
    if np.isnan(ratios).all():
        return 0.0
    worst = SPREAD_FLOOR if np.isnan(ratios).any() else max(float(ratios.min()), SPREAD_FLOOR)
    return max(float(np.nanmax(ratios)) - worst, 0.0) / worst
