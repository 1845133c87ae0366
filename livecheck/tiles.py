"""Where the checks read tiles: a grid of candidate positions, ranked on the analysis image.

Both full-resolution estimates, noise and sharpness, read a few tiles instead of the whole frame.
Which tiles is decided on the small analysis image (computed anyway): each candidate's footprint
there is summed from an integral image with four look-ups.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

GRID = (8, 12)
"""Rows and columns of the grid of candidate tile positions."""

_CORNER_SIGNS = np.array([1, -1, -1, 1], np.float32)
"""Sum over a rectangle from its integral image's corners (bottom-right, top-right, bottom-left,
top-left)."""
_CORNER_SIGNS_INT = _CORNER_SIGNS.astype(np.int32)


@dataclass(frozen=True, slots=True)
class Candidates:
    """Per candidate: its top-left corner (row, column) at full resolution, the flat indices of its
    footprint's four corners in the analysis image's integral image, and the footprint's area
    (analysis pixels)."""

    top_left: np.ndarray
    corners: np.ndarray
    area: np.ndarray


@functools.lru_cache(maxsize=32)
def candidates(h: int, w: int, side: int, ah: int, aw: int) -> Candidates:
    """The ``GRID`` of ``side``-px tiles spread over an ``h`` x ``w`` frame whose analysis image is
    ``ah`` x ``aw``. Cached: the geometry depends on the sizes alone."""
    ys = np.linspace(0, h - side, GRID[0]).round().astype(np.intp)
    xs = np.linspace(0, w - side, GRID[1]).round().astype(np.intp)
    y0, x0 = (ys * (ah / h)).astype(np.intp), (xs * (aw / w)).astype(np.intp)
    y1 = np.minimum(((ys + side) * (ah / h)).astype(np.intp) + 1, ah)
    x1 = np.minimum(((xs + side) * (aw / w)).astype(np.intp) + 1, aw)

    def at(y: np.ndarray, x: np.ndarray) -> np.ndarray:
        return (y[:, None] * (aw + 1) + x[None, :]).ravel()  # an integral image has one more column

    corners = np.stack([at(y1, x1), at(y0, x1), at(y1, x0), at(y0, x0)], axis=1)
    area = ((y1 - y0)[:, None] * (x1 - x0)[None, :]).ravel()
    top_left = np.stack(np.meshgrid(ys, xs, indexing="ij"), axis=-1).reshape(-1, 2)
    for array in (corners, area, top_left):
        array.flags.writeable = False  # shared by every thread through the cache
    return Candidates(top_left=top_left, corners=corners, area=area)


def footprint_sums(c: Candidates, plane: np.ndarray) -> np.ndarray:
    """Each candidate's sum of a float32 analysis-size ``plane`` over its footprint."""
    return cv2.integral(plane, sdepth=cv2.CV_32F).ravel()[c.corners] @ _CORNER_SIGNS


def footprint_counts(c: Candidates, mask: np.ndarray) -> np.ndarray:
    """Each candidate's count of 255s in a uint8 analysis-size ``mask``, times 255."""
    return cv2.integral(mask).ravel()[c.corners] @ _CORNER_SIGNS_INT
