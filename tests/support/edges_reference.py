"""The per-direction edge energies of livecheck/_edges.c, written plainly with NumPy and OpenCV.

The C kernel exists for speed only (see its header); this is what it must compute, so that
tests/test_edges_kernel.py can check the two against each other.
"""
from __future__ import annotations

import cv2
import numpy as np

_DIFF_X = np.array([[-0.5, 0.0, 0.5]], np.float32)
_DIFF_Y = _DIFF_X.T.copy()
_INV_SQRT2 = np.float32(1.0 / np.sqrt(2.0))


def _directions(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """|derivative| along 0, 90, 45 and 135 degrees, stacked."""
    return np.stack([np.abs(dx), np.abs(dy), np.abs(dx + dy) * _INV_SQRT2, np.abs(dx - dy) * _INV_SQRT2])


def edge_energy(grey: np.ndarray, coarse: np.ndarray, reach: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(sums (3, 4): fine x coarse^2, coarse^3, coarse^2 per direction, and with ``reach`` a fourth
    row, fine / (2 detail + 1) x coarse^2; texture (H, W))."""
    fine = grey.astype(np.float32)
    c4 = _directions(cv2.filter2D(coarse, -1, _DIFF_X), cv2.filter2D(coarse, -1, _DIFF_Y))
    fine_dx, fine_dy = cv2.filter2D(fine, -1, _DIFF_X), cv2.filter2D(fine, -1, _DIFF_Y)
    f4 = _directions(fine_dx, fine_dy)
    strongest = c4.max(axis=0)
    sums = np.zeros((3 if reach is None else 4, 4))
    if reach is not None:  # the largest |fine - coarse| within reach (a square window)
        window = np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)
        detail = cv2.dilate(np.abs(fine - coarse), window).astype(np.float64)
    for i in range(4):
        c = np.where(c4[i] >= strongest, c4[i], 0.0).astype(np.float64)
        peak = cv2.dilate(f4[i], np.ones((3, 3), np.uint8)).astype(np.float64)  # within one pixel
        sums[:3, i] = (peak * c * c).sum(), (c ** 3).sum(), (c * c).sum()
        if reach is not None:
            sums[3, i] = (peak / (2 * detail + 1) * c * c).sum()
    return sums, np.abs(fine_dx) + np.abs(fine_dy)
