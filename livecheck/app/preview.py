"""The video widget: draws the newest frame only, letterboxed, straight from the BGR array."""
from __future__ import annotations

import time

import numpy as np
from PyQt6.QtCore import QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PyQt6.QtWidgets import QWidget

from livecheck.timing import StageTimes


def bgr_to_qimage(image: np.ndarray) -> QImage:
    """Wrap a BGR uint8 HxWx3 array as a QImage without copying the pixels.

    The QImage points into ``image``'s buffer: the caller must keep the array alive (and unchanged)
    for as long as the QImage is used.
    """
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3 or not image.flags.c_contiguous:
        raise ValueError(f"expected a contiguous BGR uint8 HxWx3 image, got {image.dtype} {image.shape}")
    height, width = image.shape[:2]
    return QImage(image.data, width, height, image.strides[0], QImage.Format.Format_BGR888)


def letterbox(src_w: int, src_h: int, dst_w: int, dst_h: int) -> QRectF:
    """The largest rectangle with the source's aspect ratio centred in the destination."""
    if src_w <= 0 or src_h <= 0 or dst_w <= 0 or dst_h <= 0:
        return QRectF()
    scale = min(dst_w / src_w, dst_h / src_h)
    w, h = src_w * scale, src_h * scale
    return QRectF((dst_w - w) / 2.0, (dst_h - h) / 2.0, w, h)


class PreviewWidget(QWidget):
    """Shows one frame at a time; ``set_frame`` only schedules a repaint, so bursts coalesce."""

    first_paint = pyqtSignal(float)
    """Emitted once, with ``time.monotonic()``, after the first frame has been painted."""

    def __init__(self, parent: QWidget | None = None, timings: StageTimes | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(160, 120)
        self._array: np.ndarray | None = None  # keeps the QImage's pixels alive
        self._image: QImage | None = None
        self._painted_once = False
        self._timings = timings if timings is not None else StageTimes()
        self._t_capture: float | None = None
        """Capture time of the frame set but not painted yet (None once it is on screen)."""
        self.frames_painted = 0
        """Paint events that drew a picture (a frame repainted under an overlay counts again)."""
        self.frames_shown = 0
        """Distinct frames that reached the screen."""
        self.frames_replaced = 0
        """Frames replaced by a newer one before they were painted."""

    def set_frame(self, image: np.ndarray, t_capture: float | None = None) -> None:
        """Show ``image`` next; ``t_capture`` (``time.monotonic()`` when it was captured, default
        now) times its way to the screen."""
        start = time.perf_counter()
        image = np.ascontiguousarray(image)  # a no-op for pipeline frames (contiguous by contract)
        self._image = bgr_to_qimage(image)
        self._array = image
        if self._t_capture is not None:
            self.frames_replaced += 1
        self._t_capture = time.monotonic() if t_capture is None else t_capture
        self.update()
        self._timings.add("gui_convert", (time.perf_counter() - start) * 1000.0)

    @property
    def image_rect(self) -> QRectF:
        """Where the picture is drawn, in widget coordinates (empty before the first frame)."""
        if self._image is None:
            return QRectF()
        return letterbox(self._image.width(), self._image.height(), self.width(), self.height())

    def paintEvent(self, event: QPaintEvent | None) -> None:
        start = time.perf_counter()
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0))
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.image_rect, self._image)
            self.frames_painted += 1
        painter.end()
        self._timings.add("gui_paint", (time.perf_counter() - start) * 1000.0)
        if self._t_capture is not None:
            self._timings.add("capture_to_screen", (time.monotonic() - self._t_capture) * 1000.0)
            self._t_capture = None
            self.frames_shown += 1
        if self._image is not None and not self._painted_once:
            self._painted_once = True
            self.first_paint.emit(time.monotonic())
