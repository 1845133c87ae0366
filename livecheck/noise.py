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
    taken on the quietest quarter of the tiles (lowest luma residual), low quantile. Fine stochastic
    texture (grass, gravel, film grain) fills every direction too and reads like noise, so the
    ``noisy`` hint asks more of this estimate than of the colour one (see the thresholds).

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

_GATE_FULL = (20.0, 90.0)
_GATE_BINNED = (5.0, 60.0)
"""A tile counts for ``colour`` while its luma variance and its summed B, G, R variance stay under
these multiples of the smallest eigenvalue of its residual colour covariance. Pure noise gives about
0.7 and 5 (full resolution), 0.2 and 1.5 (binned: the residual keeps less of it). Tolerant at full
resolution, where the high-pass keeps shading out of the estimate; strict when binned, where it does
not. Tuned on real photos (scripts/eval_hints.py)."""
_MAX_CLIPPED = 0.01
"""Tiles with more than this share of pixels at 255 in a channel are left out (blown highlights)."""
_COLOUR_MIN_TILES = 3
_COLOUR_QUANTILE = 25.0
_CAL_COLOUR_FULL = 1.26
_CAL_COLOUR_BINNED = 2.53
"""Make white Gaussian noise of sigma s read s: residual energy, the low bias of the smallest
eigenvalue of a 3x3 sample covariance, and (binned) the 2x2 mean that halves white noise; measured
on synthetic noise, checked by the tests."""

_LUMA_TILE_SHARE = 4
"""``luma`` looks at the quietest 1/4 of the tiles."""
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
            self.product = np.empty_like(self.full)
            self.binned16 = np.empty((ny * side, nx * side, 3), np.uint16)
            interior = np.zeros((half, half, 3), np.float32)
            interior[_MARGIN:half - _MARGIN, _MARGIN:half - _MARGIN] = 1.0
            self.interior = np.tile(interior, (ny, nx, 1))
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


def _block_means(plane: np.ndarray) -> np.ndarray:
    """Mean of every tile: INTER_AREA at an integer factor averages exact blocks, in C."""
    ny, nx = GRID
    return cv2.resize(plane, (nx, ny), interpolation=cv2.INTER_AREA).reshape(ny * nx, -1)


def _tile_stats(mosaic: np.ndarray, ws: _Scratch, side: int) -> _TileStats:
    """Statistics of a float32 mosaic of tiles, as per-tile means of products (no per-tile loops)."""
    cv2.GaussianBlur(mosaic, (5, 5), 1.0, dst=ws.blurred)
    residual = np.subtract(mosaic, ws.blurred, out=ws.residual)
    residual *= ws.interior  # the blur mixes neighbouring tiles at the seams: interiors only
    squares = _block_means(np.multiply(residual, residual, out=ws.product))
    cross = _block_means(np.multiply(residual, residual[:, :, (1, 2, 0)], out=ws.product))  # BG GR RB
    cov = np.empty((squares.shape[0], 3, 3), np.float32)
    cov[:, (0, 1, 2), (0, 1, 2)] = squares
    cov[:, (0, 1, 2), (1, 2, 0)] = cross
    cov[:, (1, 2, 0), (0, 1, 2)] = cross
    cov *= np.float32(side * side / (side - 2 * _MARGIN) ** 2)
    mean = _block_means(mosaic)
    total = (_block_means(np.multiply(mosaic, mosaic, out=ws.product)) - mean * mean).sum(axis=1)
    luma = cv2.cvtColor(mosaic, cv2.COLOR_BGR2GRAY)
    luma_mean = _block_means(luma)[:, 0]
    luma_var = _block_means(np.multiply(luma, luma))[:, 0] - luma_mean * luma_mean
    return _TileStats(residual=cov, luma_variance=luma_var, total_variance=total)


def _colour_estimate(stats: _TileStats, gates: tuple[float, float], unclipped: np.ndarray) -> float:
    smallest = np.maximum(np.linalg.eigvalsh(stats.residual)[:, 0], 0.0)
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
    np.multiply(tiles, np.uint16(4), out=ws.binned16, dtype=np.uint16)
    binned = ws.binned
    np.copyto(binned, cv2.resize(ws.binned16, (nx * half, ny * half), interpolation=cv2.INTER_AREA))
    binned *= np.float32(0.25)
    # Tiles with blown highlights have lost their noise there and gained false colour structure.
    cv2.threshold(tiles, 254, 255, cv2.THRESH_BINARY, dst=ws.clipped)
    clipped_share = cv2.resize(ws.clipped, (nx, ny), interpolation=cv2.INTER_AREA)  # per tile, channel
    unclipped = (clipped_share.max(axis=2) <= _MAX_CLIPPED * 255).ravel()
    at_full = _colour_estimate(full, _GATE_FULL, unclipped)
    at_binned = _colour_estimate(_tile_stats(binned, ws, half), _GATE_BINNED, unclipped)
    colour = max(_CAL_COLOUR_FULL * at_full, _CAL_COLOUR_BINNED * at_binned)
    return NoiseEstimate(colour, luma)
