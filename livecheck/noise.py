"""How much sensor (or codec) noise a frame carries: two estimates from the 32 flattest tiles.

The downscaled analysis image averages noise away, so noise is measured on tiles of 64x64 px read
at viewing scale (:mod:`livecheck.view`: frames larger than the view are binned by the nearest
whole factor): what shows on a screen, not at 100% zoom. Of 96 candidate positions on an 8x12 grid,
the 32 with the least fine-scale texture in the analysis image (which is computed anyway) are read,
unclipped ones first: noise is told from structure best where there is least structure. Both
estimates are in grey levels per channel, 0-255, at viewing scale.

``colour``: noise that differs between the colour channels
    For every tile, the 3x3 covariance of the B, G, R high-pass residual; its smallest eigenvalue is
    the energy in the colour direction that carries the least signal. Edges and texture are mostly
    luminance (one colour direction); sensor noise is in all three. Measured at two scales: on each
    tile's central 16x16 at full resolution, and on the whole tile binned 4x4 to 16x16, because real
    noise is rarely white: demosaicing, denoising and JPEG leave it blotchy (in Nam et al.'s high-ISO
    shots, 4x4 means keep two thirds of the noise's sigma, white noise would keep a quarter), and
    blotchy noise shows at the coarse scale while the full-resolution residual misses it. Both
    scales are calibrated so that white noise of sigma s reads s; the estimate is the larger. A tile
    is used only when its own structure (the variance of its luma, and of its B, G, R summed) is not
    much stronger than that smallest eigenvalue, and when its highlights are not blown: a tile of
    shading, edges or saturated colour texture is structure, not noise. Each scale's estimate is a
    low quantile over the tiles used, and 0 when fewer than ``_COLOUR_MIN_TILES`` qualify (a frame of
    texture, or one with no colour at all).
``luma``: noise in brightness
    Video codecs subsample and quantise colour, and grey frames have none, so their noise is only in
    luma. Patch PCA (Liu, Tanaka & Okutomi 2013; Chen, Zhu & Heng 2015): the smallest eigenvalue of
    the covariance of the 3x3 patches of a tile is the energy in the patch direction that the image
    structure leaves empty, which for an edge, a line or a gradient is close to the noise alone. It is
    taken on the 12 quietest tiles' centres (lowest luma residual), low quantile. Fine stochastic
    texture (grass, gravel, film grain) fills every direction too and reads like noise, so the
    ``noisy`` hint asks more of this estimate than of the colour one (see the thresholds).

Each estimate is calibrated on synthetic Gaussian noise: white noise of sigma s in each channel
reads s on ``colour``; noise of sigma s added to luma alone (so every channel moves by the same s)
reads s on ``luma``; white colour noise reads about 0.67 s on ``luma``.

This module picks the tiles and makes every decision (gates, quantiles, calibration). The statistics
themselves (per tile and scale: covariances, their smallest eigenvalues) come from a small C kernel,
``livecheck/_tiles.c``, which reads the tiles straight from the frame: written with NumPy they are
hundreds of operations on tiny arrays, their time spent mostly dispatching them.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from livecheck.kernels import tile_statistics
from livecheck.tiles import candidates, footprint_counts, footprint_sums
from livecheck.view import ViewScale, binned

NATIVE = ViewScale(scale=1.0, bin=1)

TILE = 64
"""Side (px, binned) of a tile: four times the 16 px that each scale's statistics use.
Smaller tiles than 80 px (20 px per scale) separated the real noisy photos from the clean ones
better here, and cost less."""
TILES = 32
"""How many of them are measured: the flattest, judged on the analysis image (which costs nothing
at full resolution). Noise is told from structure best where there is least structure, and the
textured tiles that a fixed grid also reads would mostly be refused by the gates below anyway."""
_MIN_SIDE = 32
"""Frames narrower than this (px) get no noise estimate: 8 px per scale leave too little interior."""
_BLUR = cv2.getGaussianKernel(5, 1.0, cv2.CV_32F).ravel()
"""The high-pass residual is the tile minus this Gaussian blur of it (each axis)."""
_CLIPPED_LEVELS = (3, 250)
"""Candidates whose footprint in the analysis image reaches these grey levels are measured last:
clipped shadows and highlights have lost their noise."""

_GATE_FINE = (20.0, 60.0)
_GATE_COARSE = (8.0, 40.0)
"""A tile counts for ``colour`` while its luma variance and its summed B, G, R variance stay under
these multiples of the smallest eigenvalue of its residual colour covariance (pure noise: about 0.7
and 5 at either scale). Tolerant at full resolution, where the high-pass keeps shading and colour
texture out of that eigenvalue; stricter at the coarse scale, where it lets more of them in. Tuned
on real photos (scripts/eval_hints.py)."""
_MAX_CLIPPED = 0.01
"""Tiles with more than this share of 4x4 blocks wholly at 255 in a channel are left out (blown
highlights)."""
_COLOUR_MIN_TILES = 3
_COLOUR_QUANTILE = 25.0
_CAL_COLOUR_FINE = 1.40
_CAL_COLOUR_COARSE = 5.58
"""Make white Gaussian noise of sigma s read s at either scale: residual energy, the low bias of the
smallest eigenvalue of a 3x3 sample covariance, and (coarse) the 4x4 mean that quarters white
noise; measured on synthetic noise, checked by the tests."""

_LUMA_TILES = 12
"""``luma`` looks at the quietest of the tiles measured (lowest luma residual)."""
_LUMA_QUANTILE = 20.0
_CAL_LUMA = 1.29


@dataclass(frozen=True, slots=True)
class NoiseEstimate:
    colour: float
    luma: float


class _Scratch(threading.local):
    """Per-thread arrays that the C kernel writes its statistics into, one set per tile count: per
    statistic (the smallest eigenvalue of the residual's colour covariance, luma variance, B+G+R
    variance), scale (fine, coarse) and tile; each tile's share of blown 4x4 blocks; the luma
    tiles' smallest patch eigenvalues."""

    def __init__(self) -> None:
        self.sets: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def arrays(self, tiles: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if tiles not in self.sets:
            self.sets[tiles] = (np.empty((3, 2, tiles)), np.empty(tiles), np.empty(min(_LUMA_TILES, tiles)))
        return self.sets[tiles]


_scratch = _Scratch()


def _quantile(values: np.ndarray, percent: float) -> float:
    """The value at ``percent`` (nearest rank below), without np.percentile's overhead on a few values."""
    k = int(percent / 100.0 * (values.size - 1))
    return float(np.partition(values, k)[k])


def _colour_estimate(stats: np.ndarray, unclipped: np.ndarray) -> float:
    """``colour`` from the per-tile statistics of both scales (laid out as in :class:`_Scratch`)."""
    smallest, luma_variance, total_variance = stats
    colour = 0.0
    for scale, ((luma_gate, total_gate), calibration) in enumerate(
            ((_GATE_FINE, _CAL_COLOUR_FINE), (_GATE_COARSE, _CAL_COLOUR_COARSE))):
        usable = unclipped & (luma_variance[scale] < luma_gate * smallest[scale]) \
            & (total_variance[scale] < total_gate * smallest[scale])
        used = smallest[scale][usable]
        if used.size >= _COLOUR_MIN_TILES:
            colour = max(colour, calibration * float(np.sqrt(_quantile(used, _COLOUR_QUANTILE))))
    return colour


def _flattest_tiles(shape: tuple[int, int], side: int, analysis_grey: np.ndarray,
                    texture: np.ndarray, tiles: int) -> np.ndarray:
    """Top-left corners (full resolution) of the ``tiles`` flattest candidate tiles, flattest first:
    least ``texture`` summed over each tile's footprint in the analysis image (an integral image
    gives the 96 sums from four lookups each); tiles whose footprint holds a clipped pixel last."""
    c = candidates(*shape, side, *analysis_grey.shape)
    score = footprint_sums(c, texture)
    lo, hi = _CLIPPED_LEVELS
    score[footprint_counts(c, cv2.inRange(analysis_grey, lo + 1, hi - 1)) < 255 * c.area] = np.inf
    return c.top_left[np.argsort(score, kind="stable")[:tiles]]


def _binned_mosaic(bgr: np.ndarray, top_left: np.ndarray, side: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The tiles (``side * k`` native px each) binned ``k`` x ``k``, side by side in one frame, and
    their corners there: the kernel then reads them as it reads a frame's tiles."""
    mosaic = np.empty((side, side * len(top_left), 3), np.uint8)
    for i, (y, x) in enumerate(top_left):
        mosaic[:, i * side:(i + 1) * side] = binned(bgr[y:y + side * k, x:x + side * k], k)
    corners = np.zeros((len(top_left), 2), np.intp)
    corners[:, 1] = np.arange(len(top_left)) * side
    return mosaic, corners


def estimate_noise(bgr: np.ndarray, grey_input: bool, analysis_grey: np.ndarray,
                   texture: np.ndarray, view: ViewScale = NATIVE, tiles: int = TILES) -> NoiseEstimate:
    """Noise estimates of a contiguous BGR uint8 frame (``grey_input``: its channels are copies), in
    grey levels at viewing scale. ``analysis_grey`` is the frame's downscaled grey image and
    ``texture`` its fine gradient map (same size), used to pick the ``tiles`` flattest tiles.

    Frames larger than their view are read as tiles binned by ``view.bin`` and the estimates scaled
    by ``1 / view.pitch``: exact for white noise, which area averaging lowers by the linear factor.
    Noise that the camera left blotchy averages away more slowly, as it does on a screen."""
    h, w = bgr.shape[:2]
    k = view.bin
    side = min(TILE, h // k, w // k) // 8 * 8  # each scale's tile side (side / 4) even, as the sampling needs
    if side < _MIN_SIDE:
        return NoiseEstimate(0.0, 0.0)
    top_left = _flattest_tiles((h, w), side * k, analysis_grey, texture, tiles)
    frame = bgr
    if k > 1:
        frame, top_left = _binned_mosaic(bgr, top_left, side, k)
    stats, clipped, luma_smallest = _scratch.arrays(len(top_left))
    tile_statistics(frame, top_left, side, _BLUR, not grey_input, stats, clipped, luma_smallest)
    to_view = 1.0 / view.pitch
    luma = to_view * _CAL_LUMA * float(np.sqrt(_quantile(luma_smallest, _LUMA_QUANTILE)))
    if grey_input:
        return NoiseEstimate(0.0, luma)
    # Tiles with blown highlights have lost their noise there and gained false colour structure.
    return NoiseEstimate(to_view * _colour_estimate(stats, clipped <= _MAX_CLIPPED), luma)
