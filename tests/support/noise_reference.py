"""The per-tile noise statistics of livecheck/_tiles.c, written plainly with NumPy and OpenCV.

The C kernel exists for speed only (see its header); this is what it must compute, one tile at a
time, so that tests/test_noise_kernel.py can check the two against each other.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MARGIN = 2
LUMA_WEIGHTS = np.array([0.114, 0.587, 0.299])  # B, G, R


@dataclass
class Statistics:
    stats: np.ndarray          # (3, 2, T): smallest residual colour eigenvalue, luma and total variance
    clipped: np.ndarray        # (T,)
    luma_smallest: np.ndarray  # (L,)


def _scale_statistics(tile: np.ndarray, kernel: np.ndarray) -> tuple[float, float, float, float]:
    """(smallest residual eigenvalue, luma variance, total variance, residual luma energy) of an
    n x n x 3 float32 tile, over its interior, every other column."""
    n = tile.shape[0]
    blurred = cv2.sepFilter2D(tile, -1, kernel, kernel)  # the interior never sees the border
    inside = (slice(MARGIN, n - MARGIN), slice(MARGIN, n - MARGIN, 2))
    residual = (tile - blurred)[inside].reshape(-1, 3).astype(np.float64)
    pixels = tile[inside].reshape(-1, 3).astype(np.float64)
    second = residual.T @ residual / len(residual)
    covariance = np.cov(pixels.T, bias=True)
    return (max(float(np.linalg.eigvalsh(second)[0]), 0.0), float(LUMA_WEIGHTS @ covariance @ LUMA_WEIGHTS),
            float(np.trace(covariance)), float(LUMA_WEIGHTS @ second @ LUMA_WEIGHTS))


def _luma_patch_smallest(tile: np.ndarray) -> float:
    grey = cv2.cvtColor(tile, cv2.COLOR_BGR2GRAY).astype(np.float64)
    patches = sliding_window_view(grey, (3, 3)).reshape(-1, 9)
    return max(float(np.linalg.eigvalsh(np.cov(patches.T, bias=True))[0]), 0.0)


def tile_statistics(frame: np.ndarray, top_left: np.ndarray, side: int, kernel: np.ndarray,
                    colour: bool, luma_count: int) -> Statistics:
    n, tiles = side // 4, len(top_left)
    start = (side - n) // 2
    stats, clipped, quiet, fine_tiles = np.zeros((3, 2, tiles)), np.zeros(tiles), [], []
    for t, (y, x) in enumerate(top_left):
        tile = frame[y:y + side, x:x + side].astype(np.float32)
        fine = tile[start:start + n, start:start + n]
        fine_tiles.append(fine)
        smallest, luma, total, residual_luma = _scale_statistics(fine, kernel)
        stats[:, 0, t] = (smallest if colour else 0.0), luma, total
        quiet.append(residual_luma)
        if colour:
            coarse = tile.reshape(n, 4, n, 4, 3).mean(axis=(1, 3), dtype=np.float32)
            stats[:, 1, t] = _scale_statistics(coarse, kernel)[:3]
            clipped[t] = (coarse > 254.5).mean(axis=(0, 1)).max()
    quietest = np.argsort(quiet, kind="stable")[:luma_count]
    return Statistics(stats, clipped, np.array([_luma_patch_smallest(fine_tiles[t]) for t in quietest]))
