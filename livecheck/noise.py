"""How much sensor (or codec) noise a frame carries: two estimates from 96 small tiles.

The downscaled analysis image averages noise away, so noise is measured at full resolution on
96 tiles of 40x40 px sampled on an 8x12 grid (about 150k pixels whatever the frame size). Both
estimates are in grey levels per channel, 0-255, at the frame's own resolution.

``colour``: noise that differs between the colour channels
    For every tile, the 3x3 covariance of the B, G, R high-pass residual; its smallest eigenvalue is
    the energy in the colour direction that carries the least signal. Edges and texture are mostly
    luminance (one colour direction); sensor noise is in all three. Measured twice: on each tile's
    central 20x20 at full resolution, and on the whole tile binned 2x2 to 20x20, because real noise
    is rarely white: demosaicing, denoising and JPEG leave it blotchy, and blotchy noise shows at the
    coarser scale while the full-resolution residual misses it. A tile is used only when its own
    structure (the variance of its luma, and of its B, G, R summed) is not much stronger than that
    smallest eigenvalue, and when its highlights are not blown: a tile of shading, edges or
    saturated colour texture is structure, not noise. The estimate is a low quantile over the tiles
    used, and 0 when fewer than ``_COLOUR_MIN_TILES`` qualify (a frame of texture, or one with no
    colour at all).
``luma``: noise in brightness
    Video codecs subsample and quantise colour, and grey frames have none, so their noise is only in
    luma. Patch PCA (Liu, Tanaka & Okutomi 2013; Chen, Zhu & Heng 2015): the smallest eigenvalue of
    the covariance of the 3x3 patches of a tile is the energy in the patch direction that the image
    structure leaves empty, which for an edge, a line or a gradient is close to the noise alone. It is
    taken on the quietest eighth of the tiles (lowest luma residual), low quantile. Fine stochastic
    texture (grass, gravel, film grain) fills every direction too and reads like noise, so the
    ``noisy`` hint asks more of this estimate than of the colour one (see the thresholds).

Cost: about 1.3 ms per frame on one core here, whatever the frame size (the tile statistics use
every other column of each tile's interior, and one batched matrix product per scale).

Each estimate is calibrated on synthetic Gaussian noise: white noise of sigma s in each channel
reads s on ``colour``; noise of sigma s added to luma alone (so every channel moves by the same s)
reads s on ``luma``; white colour noise reads about 0.67 s on ``luma``.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

TILE = 40
GRID = (8, 12)  # rows, columns of tiles
_MARGIN = 2
"""Residual pixels this close to a tile's border see the next tile through the blur."""

_GATE_FULL = (20.0, 60.0)
_GATE_BINNED = (4.0, 40.0)
"""A tile counts for ``colour`` while its luma variance and its summed B, G, R variance stay under
these multiples of the smallest eigenvalue of its residual colour covariance (pure noise: about 0.7
and 5 at either scale). Tolerant at full resolution, where the high-pass keeps shading and colour
texture out of that eigenvalue; strict when binned, where it lets more of them in. Tuned on real
photos (scripts/eval_hints.py)."""
_MAX_CLIPPED = 0.01
"""Tiles with more than this share of pixels at 255 in a channel are left out (blown highlights)."""
_COLOUR_MIN_TILES = 3
_COLOUR_QUANTILE = 25.0
_CAL_COLOUR_FULL = 1.31
_CAL_COLOUR_BINNED = 2.63
"""Make white Gaussian noise of sigma s read s: residual energy, the low bias of the smallest
eigenvalue of a 3x3 sample covariance, and (binned) the 2x2 mean that halves white noise; measured
on synthetic noise, checked by the tests."""

_LUMA_TILE_SHARE = 8
"""``luma`` looks at the quietest 1/8 of the tiles (12 of 96)."""
_LUMA_QUANTILE = 20.0
_CAL_LUMA = 1.23

_LUMA_WEIGHTS = np.array([0.114, 0.587, 0.299], np.float32)  # B, G, R (Rec. 601)


@dataclass(frozen=True, slots=True)
class NoiseEstimate:
    colour: float
    luma: float


class _Scratch(threading.local):
    """Per-thread work arrays, reused while the tile geometry stays the same (see fastchecks)."""

    def __init__(self) -> None:
        self.side: int | None = None

    def get(self, side: int) -> _Scratch:
        ny, nx = GRID
        if self.side != side:
            half = side // 2
            self.tiles = np.empty((ny * side, nx * side, 3), np.uint8)
            self.clipped = np.empty_like(self.tiles)
            self.full = np.empty((ny * half, nx * half, 3), np.float32)
            self.binned = np.empty_like(self.full)
            self.blurred = np.empty_like(self.full)
            self.residual = np.empty_like(self.full)
            self.tiles4 = np.empty((ny * side, nx * side, 3), np.uint16)
            self.rows = np.empty((ny * nx, 6, (half - 2 * _MARGIN) * ((half - 2 * _MARGIN) // 2)), np.float32)
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
    """Statistics of a float32 mosaic of tiles, over each tile's interior (the blur mixes
    neighbouring tiles at the seams): one batched 6x6 product of residual and pixel rows."""
    ny, nx = GRID
    m = _MARGIN
    cv2.GaussianBlur(mosaic, (5, 5), 1.0, dst=ws.blurred)
    residual = np.subtract(mosaic, ws.blurred, out=ws.residual)
    rows = ws.rows  # per tile: residual B, G, R, then pixel B, G, R, over every other interior pixel
    by_tile = rows.reshape(ny, nx, 6, side - 2 * m, (side - 2 * m) // 2)
    for first, plane in ((0, residual), (3, mosaic)):
        inner = plane.reshape(ny, side, nx, side, 3)[:, m:side - m, :, m:side - m:2, :]
        by_tile[:, :, first:first + 3] = inner.transpose(0, 2, 4, 1, 3)
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


def _colour_estimate(stats: _TileStats, gates: tuple[float, float], unclipped: np.ndarray) -> float:
    smallest = np.maximum(_smallest_eigenvalues(stats.residual.astype(np.float64)), 0.0)
    used = smallest[unclipped & (stats.luma_variance < gates[0] * smallest)
                    & (stats.total_variance < gates[1] * smallest)]
    if used.size < _COLOUR_MIN_TILES:
        return 0.0
    return float(np.sqrt(_quantile(used, _COLOUR_QUANTILE)))


def _luma_estimate(full: np.ndarray, residual_luma: np.ndarray, side: int) -> float:
    ny, nx = GRID
    count = max(1, residual_luma.size // _LUMA_TILE_SHARE)
    quietest = np.argpartition(residual_luma, count - 1)[:count]
    luma = cv2.cvtColor(full, cv2.COLOR_BGR2GRAY).reshape(ny, side, nx, side)
    tiles = luma[quietest // nx, :, quietest % nx, :]
    inner = side - 2
    patches = np.empty((count, inner, inner, 9), np.float32)  # every 3x3 patch of every tile
    for k in range(9):
        patches[..., k] = tiles[:, k // 3:k // 3 + inner, k % 3:k % 3 + inner]
    patches = patches.reshape(count, inner * inner, 9)
    mean = np.full(inner * inner, 1.0 / (inner * inner), np.float32) @ patches
    cov = np.matmul(patches.transpose(0, 2, 1), patches) / np.float32(inner * inner)
    cov -= mean[:, :, None] * mean[:, None, :]
    smallest = np.maximum(np.linalg.eigvalsh(cov)[:, 0], 0.0)
    return float(np.sqrt(_quantile(smallest, _LUMA_QUANTILE)))


def estimate_noise(bgr: np.ndarray, grey_input: bool) -> NoiseEstimate:
    """Noise estimates of a contiguous BGR uint8 frame (``grey_input``: its channels are copies)."""
    h, w = bgr.shape[:2]
    side = min(TILE, h, w) // 2 * 2
    half = side // 2
    if half <= 2 * _MARGIN + 2:
        return NoiseEstimate(0.0, 0.0)
    ny, nx = GRID
    ys = np.linspace(0, h - side, ny).round().astype(np.intp)
    xs = np.linspace(0, w - side, nx).round().astype(np.intp)
    ws = _scratch.get(side)
    tiles = ws.tiles
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            tiles[i * side:(i + 1) * side, j * side:(j + 1) * side] = bgr[y:y + side, x:x + side]
    # Full resolution: each tile's central half.
    start = side // 4
    np.copyto(ws.full.reshape(ny, half, nx, half, 3),
              tiles.reshape(ny, side, nx, side, 3)[:, start:start + half, :, start:start + half, :])
    full = _tile_stats(ws.full, ws, half)
    luma = _CAL_LUMA * _luma_estimate(ws.full, full.residual_luma, half)
    if grey_input:
        return NoiseEstimate(0.0, luma)
    # Binned: each whole tile, 2x2 means (x4 in 16 bits first, so INTER_AREA's mean is exact).
    np.multiply(tiles, np.uint16(4), out=ws.tiles4, dtype=np.uint16)
    binned = ws.binned
    np.multiply(cv2.resize(ws.tiles4, (nx * half, ny * half), interpolation=cv2.INTER_AREA), np.float32(0.25),
                out=binned)
    # Tiles with blown highlights have lost their noise there and gained false colour structure.
    cv2.threshold(tiles, 254, 255, cv2.THRESH_BINARY, dst=ws.clipped)
    clipped_share = cv2.resize(ws.clipped, (nx, ny), interpolation=cv2.INTER_AREA)  # per tile, channel
    unclipped = (clipped_share.max(axis=2) <= _MAX_CLIPPED * 255).ravel()
    at_full = _colour_estimate(full, _GATE_FULL, unclipped)
    at_binned = _colour_estimate(_tile_stats(binned, ws, half), _GATE_BINNED, unclipped)
    colour = max(_CAL_COLOUR_FULL * at_full, _CAL_COLOUR_BINNED * at_binned)
    return NoiseEstimate(colour, luma)
