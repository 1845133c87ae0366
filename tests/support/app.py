"""Shared helpers for the Qt app tests (not a conftest: tests/conftest.py belongs to the capture tests).

Importing this module makes Qt render offscreen unless the caller chose a platform already
(``make test`` sets QT_QPA_PLATFORM=offscreen itself; this covers a bare ``pytest``).
"""
from __future__ import annotations

import os
import time

import numpy as np
from PyQt6.QtGui import QImage

from livecheck.hint import Hint
from livecheck.result import FrameResult, ModelScore

# Only read when the QApplication is created (by pytest-qt), so setting it on import is early enough.
if not os.environ.get("QT_QPA_PLATFORM"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"


def make_result(
    seq: int = 0,
    hints: frozenset[Hint] | set[Hint] = frozenset(),
    quality: float = 80.0,
    image: np.ndarray | None = None,
    models: dict[str, ModelScore] | None = None,
    t_capture: float | None = None,
) -> FrameResult:
    """A synthetic FrameResult, as the pipeline's worker would hand it over."""
    now = time.monotonic() if t_capture is None else t_capture
    if image is None:
        image = np.zeros((120, 160, 3), np.uint8)
        image[:, :, 0] = seq % 256  # blue channel carries the sequence number
    return FrameResult(
        seq=seq, t_media=seq / 25.0, t_capture=now, t_done=now + 0.003,
        metrics={"luma_mean": 100.0, "sharpness": 0.5},
        frame_hints=frozenset(hints), hints=frozenset(hints), quality=quality,
        models=models or {}, image=image,
    )


def colour_fraction(image: np.ndarray, rgb: tuple[int, int, int], tol: int = 12) -> float:
    """Fraction of pixels of an RGB(A) image within ``tol`` of ``rgb`` in every channel."""
    diff = np.abs(image[..., :3].astype(np.int16) - np.array(rgb, np.int16))
    return float(np.mean(np.all(diff <= tol, axis=-1)))


def qimage_to_rgb(qimage: QImage) -> np.ndarray:
    """A copy of a QImage as an RGB uint8 array."""
    img = qimage.convertToFormat(QImage.Format.Format_RGB888)
    ptr = img.constBits()
    ptr.setsize(img.sizeInBytes())
    arr = np.frombuffer(ptr, np.uint8).reshape(img.height(), img.bytesPerLine())
    return arr[:, : img.width() * 3].reshape(img.height(), img.width(), 3).copy()
