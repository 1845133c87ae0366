"""Camera motion between consecutive frames, in viewing pixels per frame interval (``hold_still``).

A camera that moves while it exposes smears the picture along the motion: the streak is the motion
during the exposure, which is at most one frame interval. So the motion from one frame to the next,
measured before any blur shows, says how long the streak will be once the exposure grows (the light
drops) or the hand speeds up: ``hold_still`` warns of blur while the frames are still sharp.

The motion is the whole picture's shift, found by phase correlation (``cv2.phaseCorrelate``, with a
Hann window) of two small grey images, ``MOTION_SIZE`` px on the long side: a global shift is what
camera shake and panning make, while a small object moving through a still scene leaves the
correlation peak where the background is (at zero). The shift is converted to viewing pixels
(:mod:`livecheck.view`: what a person sees of the frame) and divided by the number of frame
intervals since the previous frame measured (a live worker that skipped frames sees a longer step).

This needs the previous frame, so it is not part of the stateless per-frame checks
(:func:`livecheck.fastchecks.assess`): the live pipeline keeps one :class:`MotionTracker` per stream
and puts its reading into the frame's ``motion`` metric before the hint engine sees it.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from livecheck.view import VIEW_SIZE, view_scale

MOTION_SIZE = 256
"""Long side (px) of the grey images that are correlated. At 1080p one of their pixels is 7.5
viewing pixels; the correlation's sub-pixel peak reads a pan of real photos within about a
viewing pixel (within 2 on a drawn scene with little texture), which is what telling 2 px/frame
from 8 needs. Half this size reads a 6-px pan as 4-6."""
MIN_RESPONSE = 0.25
"""A correlation peak lower than this (about 0-1: how much of the two images the one shift explains)
is no shift at all, and reads as no motion: a featureless scene, whose noise alone correlates at
0.02-0.08 and whose smooth gradient at 0.06-0.2 (with any shift), or a changed one (a cut). A
textured scene reads 0.95-1 still and 0.9 or more through a 30-px streak; real hand shake with
20 ms streaks of about 120 px, 0.4-0.5."""



def motion_grey(image: np.ndarray) -> np.ndarray:
    """The small grey image (float32, long side ``MOTION_SIZE``, mean 0) that motion is measured on.

    Halved by area averaging while more than twice the target (OpenCV's whole-factor-2 area resize
    is a plain, fast block mean), then resampled linearly: an image point-sampled straight down
    from a large frame aliases fine text into patterns that move unlike the page.
    """
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else np.ascontiguousarray(image)
    while max(grey.shape) > 2 * MOTION_SIZE:
        h, w = grey.shape
        grey = cv2.resize(grey, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    h, w = grey.shape
    s = MOTION_SIZE / max(h, w)
    if s < 1.0:
        grey = cv2.resize(grey, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_LINEAR)
    small = grey.astype(np.float32)
    # without its mean, the Hann window's own shape (the same in both images) cannot correlate
    small -= np.float32(cv2.mean(small)[0])
    return small


@dataclass(frozen=True, slots=True)
class _Previous:
    grey: np.ndarray
    seq: int
    shape: tuple[int, ...]


class MotionTracker:
    """The global motion of one stream, frame by frame. Not thread-safe: one tracker per stream."""

    def __init__(self, view_size: int = VIEW_SIZE) -> None:
        self._view_size = view_size
        self._previous: _Previous | None = None
        self._window: np.ndarray | None = None

    def reset(self) -> None:
        """Forget the previous frame (a new clip, or a seek)."""
        self._previous = None

    def update(self, image: np.ndarray, seq: int) -> float:
        """The motion (viewing pixels per frame interval) from the previous frame to this one, BGR
        or grey uint8 with the capture's sequence number ``seq``. 0 for the first frame, and after a
        reset, a change of frame size or a sequence number that did not move forward (a clip
        restarted)."""
        grey = motion_grey(image)
        previous, self._previous = self._previous, _Previous(grey, seq, image.shape)
        if previous is None or previous.shape != image.shape or seq <= previous.seq:
            return 0.0
        if self._window is None or self._window.shape != grey.shape:
            self._window = cv2.createHanningWindow((grey.shape[1], grey.shape[0]), cv2.CV_32F)
        (dx, dy), response = cv2.phaseCorrelate(previous.grey, grey, self._window)
        if response < MIN_RESPONSE:
            return 0.0
        long_side = max(image.shape[:2])
        view_px = long_side / view_scale(image.shape, self._view_size).scale / max(grey.shape)
        return float(np.hypot(dx, dy)) * view_px / (seq - previous.seq)
