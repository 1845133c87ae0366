"""The viewing-scale contract: every hint describes what a person sees.

A frame is judged as it looks when shown at its own size, or fitted to a ``VIEW_SIZE``-px long side
when it is larger (``--view-size N``; 0 judges native pixels, for pixel-peeping). Blur and noise are
measured at that scale, so a 12-MP photo that looks soft on a screen is blurry, and JPEG chroma that
shows only at 100% zoom is not noise. Exposure does not depend on scale.

Reading a whole 12-MP frame at viewing scale would cost more than the checks may spend, so the
checks read tiles: a tile of ``n`` viewing pixels is ``n * scale`` native pixels, binned by a whole
number ``bin`` (fast area averaging, exact for white noise) and measured with its pixel pitch known.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

VIEW_SIZE = 1920
"""Long side (px) that larger frames are fitted to for judging (a full-HD screen)."""


@dataclass(frozen=True, slots=True)
class ViewScale:
    """How a frame maps to its viewing scale.

    ``scale``: native pixels per viewing pixel (>= 1). ``bin``: the whole-number binning that tiles are
    read at, the nearest to ``scale``."""

    scale: float
    bin: int

    @property
    def pitch(self) -> float:
        """Binned pixels per viewing pixel (0.67-1.5): what a length in viewing pixels is multiplied by
        to be measured on binned tiles."""
        return self.scale / self.bin


def view_scale(shape: tuple[int, ...], view_size: int = VIEW_SIZE) -> ViewScale:
    """The viewing scale of a frame of ``shape`` (H, W, ...) fitted to ``view_size`` (0: native)."""
    if view_size < 0:
        raise ValueError(f"view size must be 0 (native pixels) or a positive long side, got {view_size}")
    long_side = max(shape[0], shape[1])
    scale = long_side / view_size if view_size and long_side > view_size else 1.0
    return ViewScale(scale=scale, bin=max(1, round(scale)))


def binned(roi: np.ndarray, factor: int) -> np.ndarray:
    """``roi`` averaged over ``factor`` x ``factor`` blocks (its sides are multiples of ``factor``).
    OpenCV's area resize by a whole factor is a plain block mean, and fast."""
    if factor == 1:
        return roi
    h, w = roi.shape[:2]
    return cv2.resize(roi, (w // factor, h // factor), interpolation=cv2.INTER_AREA)
