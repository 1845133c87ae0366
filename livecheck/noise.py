"""How much sensor (or codec) noise a frame carries: two estimates from the 32 flattest tiles.

The downscaled analysis image averages noise away, so noise is measured at full resolution, on
tiles of 64x64 px. Of 96 candidate positions on an 8x12 grid, the 32 with the least fine-scale
texture in the analysis image (which is computed anyway) are read, unclipped ones first: noise is
told from structure best where there is least structure. About 400k values whatever the frame
size. Both estimates are in grey levels per channel, 0-255, at the frame's own resolution.

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
"""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import cv2
import numpy as np

TILE = 64
"""Side (px, full resolution) of a tile: four times the 16 px that each scale's statistics use.
Smaller tiles than 80 px (20 px per scale) separated the real noisy photos from the clean ones
better here, and cost less."""
CANDIDATES = (8, 12)
"""Rows and columns of the grid of tile positions considered."""
TILES = 32
"""How many of them are measured: the flattest, judged on the analysis image (which costs nothing
at full resolution). Noise is told from structure best where there is least structure, and the
textured tiles that a fixed grid also reads would mostly be refused by the gates below anyway."""
_MARGIN = 2
"""Residual pixels this close to a tile's border see the next tile through the blur."""
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

_LUMA_WEIGHTS = np.array([0.114, 0.587, 0.299], np.float32)  # B, G, R (Rec. 601)


@dataclass(frozen=True, slots=True)
class NoiseEstimate:
    colour: float
    luma: float


class _Scratch(threading.local):
    """Per-thread work arrays, reused while the tile size stays the same (see fastchecks). The
    tiles are stacked vertically, so each one is contiguous in memory."""

    def __init__(self) -> None:
        self.side: int | None = None

    def get(self, side: int) -> _Scratch:
        if self.side != side:
            n = side // 4  # each scale's tile side
            inner = n - 2 * _MARGIN
            self.tiles = np.empty((TILES * side, side, 3), np.uint8)
            self.row_sums = np.empty((2, TILES * n, side * 3), np.uint16)
            self.columns = np.empty((side * 3, TILES * n), np.uint16)
            self.column_sums = np.empty((2, n, 3 * TILES * n), np.uint16)
            self.clipped = np.empty((TILES * n, n, 3), np.float32)
            # Both scales in one stack: the tiles' centres at full resolution, then the tiles binned 4x4.
            self.scales = np.empty((2 * TILES * n, n, 3), np.float32)
            self.blurred = np.empty_like(self.scales)
            self.residual = np.empty_like(self.scales)
            self.rows = np.empty((2 * TILES, 6, inner * (inner // 2)), np.float32)
            self.patches = np.empty((_LUMA_TILES, 9, (n - 2) ** 2), np.float32)
            self.side = side
        return self


_scratch = _Scratch()


def _quantile(values: np.ndarray, percent: float) -> float:
    """The value at ``percent`` (nearest rank below): np.percentile costs 20 us, this 3."""
    k = int(percent / 100.0 * (values.size - 1))
    return float(np.partition(values, k)[k])


@dataclass(frozen=True, slots=True)
class _TileStats:
    """Per tile (n of them): the 3x3 covariance of the high-pass residual over the tile's interior,
    and the variances of the tile's luma and of its B, G and R summed (its structure)."""

    residual: np.ndarray
    luma_variance: np.ndarray
    total_variance: np.ndarray

    @property
    def residual_luma(self) -> np.ndarray:
        return _LUMA_WEIGHTS @ self.residual @ _LUMA_WEIGHTS


def _tile_stats(mosaic: np.ndarray, ws: _Scratch, side: int) -> _TileStats:
    """Statistics of a float32 stack of square tiles, over each tile's interior (the blur mixes
    neighbouring tiles at the seams): one batched 6x6 product of residual and pixel rows."""
    m = _MARGIN
    n = mosaic.shape[0] // side
    blurred = cv2.GaussianBlur(mosaic, (5, 5), 1.0, dst=ws.blurred[:len(mosaic)])
    residual = np.subtract(mosaic, blurred, out=ws.residual[:len(mosaic)])
    rows = ws.rows[:n]  # per tile: residual B, G, R, then pixel B, G, R, over every other interior pixel
    by_tile = rows.reshape(n, 6, side - 2 * m, (side - 2 * m) // 2)
    for first, plane in ((0, residual), (3, mosaic)):
        inner = plane.reshape(n, side, side, 3)[:, m:side - m, m:side - m:2, :]
        by_tile[:, first:first + 3] = inner.transpose(0, 3, 1, 2)
    count = np.float32(rows.shape[2])
    moments = np.matmul(rows, rows.transpose(0, 2, 1)) / count
    mean = rows[:, 3:].sum(axis=2) / count
    pixels = moments[:, 3:, 3:] - mean[:, :, None] * mean[:, None, :]
    return _TileStats(residual=moments[:, :3, :3], luma_variance=_LUMA_WEIGHTS @ pixels @ _LUMA_WEIGHTS,
                      total_variance=np.trace(pixels, axis1=1, axis2=2))


def _smallest_eigenvalues(cov: np.ndarray) -> np.ndarray:
    """Smallest eigenvalue of each symmetric 3x3 matrix, in closed form (trigonometric solution of
    the characteristic cubic): np.linalg.eigvalsh costs 0.1 ms per call on 96 matrices, this 0.03."""
    a, b, c = cov[:, 0, 0], cov[:, 1, 1], cov[:, 2, 2]
    d, e, f = cov[:, 0, 1], cov[:, 1, 2], cov[:, 0, 2]
    q = (a + b + c) / 3.0
    a, b, c = a - q, b - q, c - q
    p2 = (a * a + b * b + c * c + 2.0 * (d * d + e * e + f * f)) / 6.0
    p = np.sqrt(p2)
    det = a * (b * c - e * e) - d * (d * c - e * f) + f * (d * e - b * f)
    r = np.clip(det / (2.0 * np.maximum(p2 * p, 1e-30)), -1.0, 1.0)
    return q + 2.0 * p * np.cos(np.arccos(r) / 3.0 + 2.0 * np.pi / 3.0)


def _colour_estimate(stats: _TileStats, unclipped: np.ndarray) -> float:
    """``colour`` from the statistics of both scales (fine tiles, then coarse tiles)."""
    smallest = np.maximum(_smallest_eigenvalues(stats.residual.astype(np.float64)), 0.0)
    fine, coarse = slice(None, TILES), slice(TILES, None)
    limit = np.empty((2, smallest.size))  # per tile: its gates' multiples of its smallest eigenvalue
    for scale, gates in ((fine, _GATE_FINE), (coarse, _GATE_COARSE)):
        limit[:, scale] = np.multiply.outer(gates, smallest[scale])
    usable = np.tile(unclipped, 2) & (stats.luma_variance < limit[0]) & (stats.total_variance < limit[1])
    colour = 0.0
    for scale, calibration in ((fine, _CAL_COLOUR_FINE), (coarse, _CAL_COLOUR_COARSE)):
        used = smallest[scale][usable[scale]]
        if used.size >= _COLOUR_MIN_TILES:
            colour = max(colour, calibration * float(np.sqrt(_quantile(used, _COLOUR_QUANTILE))))
    return colour


def _luma_estimate(full: np.ndarray, residual_luma: np.ndarray, side: int, ws: _Scratch) -> float:
    quietest = np.argpartition(residual_luma, _LUMA_TILES - 1)[:_LUMA_TILES]
    tiles = cv2.cvtColor(full, cv2.COLOR_BGR2GRAY).reshape(TILES, side, side)[quietest]
    inner = side - 2
    patches = ws.patches  # every 3x3 patch of every tile: one row per patch position
    for k in range(9):
        patches[:, k].reshape(-1, inner, inner)[:] = tiles[:, k // 3:k // 3 + inner, k % 3:k % 3 + inner]
    count = np.float32(patches.shape[2])
    mean = patches.sum(axis=2) / count
    cov = np.matmul(patches, patches.transpose(0, 2, 1)) / count
    cov -= mean[:, :, None] * mean[:, None, :]
    smallest = np.maximum(np.linalg.eigvalsh(cov)[:, 0], 0.0)
    return float(np.sqrt(_quantile(smallest, _LUMA_QUANTILE)))


@dataclass(frozen=True, slots=True)
class _Candidates:
    """Where the candidate tiles are: top-left corners at full resolution, their footprints in the
    analysis image (rows y0:y1, columns x0:x1), and a square structuring element about as large."""

    ys: np.ndarray
    xs: np.ndarray
    y0: np.ndarray
    y1: np.ndarray
    x0: np.ndarray
    x1: np.ndarray
    box: np.ndarray


@functools.lru_cache(maxsize=16)
def _candidates(h: int, w: int, side: int, ah: int, aw: int) -> _Candidates:
    ys = np.linspace(0, h - side, CANDIDATES[0]).round().astype(np.intp)
    xs = np.linspace(0, w - side, CANDIDATES[1]).round().astype(np.intp)
    foot = max(3, round(side * aw / w)) | 1
    grid = _Candidates(
        ys=ys, xs=xs,
        y0=(ys * (ah / h)).astype(np.intp), y1=np.minimum(((ys + side) * (ah / h)).astype(np.intp) + 1, ah),
        x0=(xs * (aw / w)).astype(np.intp), x1=np.minimum(((xs + side) * (aw / w)).astype(np.intp) + 1, aw),
        box=np.ones((foot, foot), np.uint8))
    for array in (grid.ys, grid.xs, grid.y0, grid.y1, grid.x0, grid.x1, grid.box):
        array.flags.writeable = False  # shared by every thread through the cache
    return grid


def _flattest_tiles(shape: tuple[int, int], side: int, analysis_grey: np.ndarray,
                    texture: np.ndarray) -> list[tuple[int, int]]:
    """Top-left corners (full resolution) of the ``TILES`` flattest candidate tiles, flattest first:
    least ``texture`` summed over each tile's footprint in the analysis image (an integral image
    gives the 96 sums from four lookups each), unclipped ones first."""
    c = _candidates(*shape, side, *analysis_grey.shape)
    sums = cv2.integral(texture, sdepth=cv2.CV_64F)
    score = sums[c.y1][:, c.x1] - sums[c.y0][:, c.x1] - sums[c.y1][:, c.x0] + sums[c.y0][:, c.x0]
    lo, hi = _CLIPPED_LEVELS
    centre = np.ix_((c.y0 + c.y1) // 2, (c.x0 + c.x1) // 2)
    score[(cv2.erode(analysis_grey, c.box)[centre] <= lo) | (cv2.dilate(analysis_grey, c.box)[centre] >= hi)] = np.inf
    chosen = np.argsort(score.ravel(), kind="stable")[:TILES]
    nx = CANDIDATES[1]
    return [(int(c.ys[i // nx]), int(c.xs[i % nx])) for i in chosen]


def _bin4(tiles: np.ndarray, ws: _Scratch, out: np.ndarray) -> None:
    """4x4 means of a uint8 BGR image whose sides are multiples of 4, exactly, into float32 ``out``.

    Sums in 16 bits, always of whole rows, which OpenCV adds fast: groups of 4 rows, then (after a
    transpose, which turns each column of every channel into a row) groups of 4 columns. Half the
    time of ``cv2.resize(INTER_AREA)`` here, which would also round the means to the input's type.
    """
    h4, width = out.shape[0], tiles.shape[1]
    rows = tiles.reshape(h4, 4, width * 3)
    summed, spare = ws.row_sums
    cv2.add(rows[:, 0], rows[:, 1], dst=summed, dtype=cv2.CV_16U)
    cv2.add(rows[:, 2], rows[:, 3], dst=spare, dtype=cv2.CV_16U)
    cv2.add(summed, spare, dst=summed)
    cv2.transpose(summed, dst=ws.columns)  # row (4 j + i) * 3 + c: column 4 j + i, channel c
    columns = ws.columns.reshape(width // 4, 4, 3 * h4)
    summed, spare = ws.column_sums
    cv2.add(columns[:, 0], columns[:, 1], dst=summed)
    cv2.add(columns[:, 2], columns[:, 3], dst=spare)
    cv2.add(summed, spare, dst=summed)
    cv2.multiply(cv2.transpose(summed.reshape(width // 4 * 3, h4)), 1 / 16, dst=out.reshape(h4, -1),
                 dtype=cv2.CV_32F)


def estimate_noise(bgr: np.ndarray, grey_input: bool, analysis_grey: np.ndarray,
                   texture: np.ndarray) -> NoiseEstimate:
    """Noise estimates of a contiguous BGR uint8 frame (``grey_input``: its channels are copies).
    ``analysis_grey`` is the frame's downscaled grey image and ``texture`` its fine gradient map
    (same size), used to pick the flattest tiles."""
    h, w = bgr.shape[:2]
    side = min(TILE, h, w) // 4 * 4
    n = side // 4
    if n <= 2 * _MARGIN + 2:
        return NoiseEstimate(0.0, 0.0)
    ws = _scratch.get(side)
    tiles = ws.tiles
    for k, (y, x) in enumerate(_flattest_tiles((h, w), side, analysis_grey, texture)):
        tiles[k * side:(k + 1) * side] = bgr[y:y + side, x:x + side]
    fine, coarse = ws.scales[:TILES * n], ws.scales[TILES * n:]
    start = (side - n) // 2
    np.copyto(fine.reshape(TILES, n, n, 3), tiles.reshape(TILES, side, side, 3)[:, start:start + n, start:start + n])
    if grey_input:
        stats = _tile_stats(fine, ws, n)
        return NoiseEstimate(0.0, _CAL_LUMA * _luma_estimate(fine, stats.residual_luma, n, ws))
    _bin4(tiles, ws, coarse)
    stats = _tile_stats(ws.scales, ws, n)
    luma = _CAL_LUMA * _luma_estimate(fine, stats.residual_luma[:TILES], n, ws)
    # Tiles with blown highlights have lost their noise there and gained false colour structure.
    cv2.threshold(coarse, 254.5, 1.0, cv2.THRESH_BINARY, dst=ws.clipped)
    clipped_share = cv2.resize(ws.clipped, (1, TILES), interpolation=cv2.INTER_AREA)  # per tile, channel
    unclipped = clipped_share.max(axis=2).ravel() <= _MAX_CLIPPED
    colour = _colour_estimate(stats, unclipped)
    return NoiseEstimate(colour, luma)
