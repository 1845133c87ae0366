"""How the light falls on the frame as a whole: backlight, and a veil of light (haze, fog, dirty glass).

Read on the analysis image (:mod:`livecheck.fastchecks`), which exposure is measured on anyway:
lighting is large-scale, so it does not depend on the viewing scale.

Backlight is a matter of where light and dark lie, not of how much of each there is: a backlit
subject is a large dark mass under (or before) a bright surround, the sky or a window behind it.
The frame is averaged to ``BLOCKS`` (a coarse picture of its light), and on those blocks:

``dark_mass``
    The share of blocks darker than ``DARK_LEVEL``: a subject in its own shadow, not the small
    shadows of a well-lit scene, which average away at this scale.
``bright_mass``
    The share of blocks brighter than ``BRIGHT_LEVEL``: the light source's side.
``dark_below``
    How far the dark blocks sit below the bright ones, in frame heights (mean row of the dark minus
    mean row of the bright; 0 when either is missing). A backlit subject stands under its sky or
    before its window (>= about 0); a bright subject before a dark backdrop, lit from the front
    (a studio portrait, a flower against its leaves), has its dark mass around and above it.

A veil (haze, fog, a smeared lens or window) adds the same light everywhere: in linear light a
picture ``J`` becomes ``J t + A (1 - t)``. That lifts the blacks (``p01``, in
:mod:`livecheck.fastchecks`) and shrinks every local contrast by the same factor, whatever the
exposure, which a scene that is merely flat (an overcast field, a white page) does not do: its
edges, where it has them, keep their full contrast.

``local_contrast``
    The 90th percentile, over ``VEIL_WINDOW``-px windows of the analysis image, of the Michelson
    contrast ``(max - min) / (max + min)`` of their luma in linear light: 0.5-1 on most good photos
    (a blank wall reads near 0); under a veil at most ``t / (t + 2A(1 - t))``, a black-white edge's
    (0.36 at ``t = 0.5``, ``A = 0.9``).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BLOCKS = (12, 16)
"""Rows and columns of the coarse picture (transposed for portrait frames)."""
DARK_LEVEL = 40.0
"""A block darker than this (mean luma) belongs to the dark mass: more than 1.5 stops under a
mid-grey exposure, where a face or a building front has lost its detail."""
BRIGHT_LEVEL = 170.0
"""A block brighter than this belongs to the bright surround: a lit sky, a window."""
VEIL_WINDOW = 9
"""Side (analysis px) of the windows ``local_contrast`` is read in: about 70 viewing px at 1080p,
wide enough to hold both sides of an edge of the scene, not only of its finest texture."""
VEIL_STEP = 3
"""The windows' contrasts are read at every third pixel each way: neighbouring windows overlap
almost entirely, and a ninth of them gives the same percentile."""
_KERNEL = np.ones((VEIL_WINDOW, VEIL_WINDOW), np.uint8)


def _michelson_table() -> np.ndarray:
    """``table[hi, lo]``: the Michelson contrast of two sRGB grey levels in linear light, x 255."""
    v = np.arange(256) / 255.0
    linear = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    hi, lo = linear[:, None], linear[None, :]
    return np.round(255.0 * np.clip(hi - lo, 0.0, None) / np.maximum(hi + lo, 1e-3)).astype(np.uint8)


_MICHELSON_FLAT = _michelson_table().ravel()
"""The table read at ``hi * 256 + lo`` (one flat take is cheaper than indexing by two arrays)."""


@dataclass(frozen=True, slots=True)
class Backlight:
    dark_mass: float
    bright_mass: float
    dark_below: float


def backlight(grey: np.ndarray) -> Backlight:
    """The backlight measures (module docstring) of an analysis-size grey image."""
    rows, cols = BLOCKS if grey.shape[1] >= grey.shape[0] else BLOCKS[::-1]
    blocks = cv2.resize(grey, (cols, rows), interpolation=cv2.INTER_AREA)
    dark = np.count_nonzero(blocks < DARK_LEVEL, axis=1)  # per row
    bright = np.count_nonzero(blocks > BRIGHT_LEVEL, axis=1)
    n_dark, n_bright = int(dark.sum()), int(bright.sum())
    below = 0.0
    if n_dark and n_bright:
        row = np.arange(rows)
        below = float(row @ dark / n_dark - row @ bright / n_bright) / rows
    return Backlight(n_dark / blocks.size, n_bright / blocks.size, below)



def local_contrast(grey: np.ndarray) -> float:
    """``local_contrast`` (module docstring) of an analysis-size grey image."""
    hi = cv2.dilate(grey, _KERNEL)[::VEIL_STEP, ::VEIL_STEP].astype(np.intp)
    lo = cv2.erode(grey, _KERNEL)[::VEIL_STEP, ::VEIL_STEP]
    counts = np.bincount(_MICHELSON_FLAT.take(hi * 256 + lo).ravel(), minlength=256)
    return float(np.searchsorted(np.cumsum(counts), 0.9 * hi.size)) / 255.0
