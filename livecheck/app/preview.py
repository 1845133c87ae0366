"""The video widget: draws the newest frame only, letterboxed, from a picture made ready to draw.

Qt scaling a 720p BGR frame into the widget on every paint (a format conversion and a smooth
transform, in the GUI thread) was the largest GUI cost of the live view. So a frame is scaled once,
with OpenCV, to exactly the size it takes on screen, and converted to the backing store's own
32-bit format (``fit_picture``): painting is then a plain copy, cheap enough that a repaint under
an overlay costs nothing worth measuring. The app makes the picture on the analysis worker
(``ResultBridge(prepare=...)``), off the GUI thread; the widget makes it itself when handed a
bare frame.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np
from PyQt6.QtCore import QPointF, QRectF, QSize, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QResizeEvent
from PyQt6.QtWidgets import QWidget

from livecheck.hint import HINT_SPECS, Hint
from livecheck.regions import Region
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


@dataclass(frozen=True, slots=True)
class Picture:
    """A frame ready to draw: scaled to its size on screen (device pixels), 32-bit xRGB."""

    image: QImage
    pixels: np.ndarray
    """The BGRA array the QImage points into (kept alive with it)."""
    source_size: tuple[int, int]
    """(width, height) of the frame it was made from: the letterbox follows the source's shape."""
    target: tuple[int, int]
    """The device-pixel size of the widget it was made for."""


def fit_picture(bgr: np.ndarray, target: tuple[int, int]) -> Picture:
    """``bgr`` (HxWx3 uint8) shrunk or enlarged to fit ``target`` (device pixels, aspect kept).

    OpenCV releases the GIL while it scales, so this may run on any thread; ``INTER_AREA`` when
    shrinking by 2 or more (no aliasing), bilinear otherwise, as Qt's smooth transform was.
    """
    if bgr.dtype != np.uint8 or bgr.ndim != 3 or bgr.shape[2] != 3:
        raise ValueError(f"expected a BGR uint8 HxWx3 image, got {bgr.dtype} {bgr.shape}")
    h, w = bgr.shape[:2]
    rect = letterbox(w, h, max(1, target[0]), max(1, target[1]))
    size = (max(1, round(rect.width())), max(1, round(rect.height())))
    if size != (w, h):
        interp = cv2.INTER_AREA if 2 * size[0] <= w else cv2.INTER_LINEAR
        bgr = cv2.resize(bgr, size, interpolation=interp)
    bgra = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)  # little-endian BGRA bytes = Qt's 0xffRRGGBB
    image = QImage(bgra.data, size[0], size[1], bgra.strides[0], QImage.Format.Format_RGB32)
    return Picture(image=image, pixels=bgra, source_size=(w, h), target=(int(target[0]), int(target[1])))


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
        self._picture: Picture | None = None
        self._painted_once = False
        self._timings = timings if timings is not None else StageTimes()
        self._target = (0, 0)
        self._t_capture: float | None = None
        """Capture time of the frame set but not painted yet (None once it is on screen)."""
        self.frames_painted = 0
        """Paint events that drew a picture (a frame repainted under an overlay counts again)."""
        self.frames_shown = 0
        """Distinct frames that reached the screen."""
        self.frames_replaced = 0
        """Frames replaced by a newer one before they were painted."""
        self.regions: tuple[Region, ...] = ()
        """The newest frame's cells (``--regions``), outlined in their first hint's colour."""
        self.show_regions = False
        """Whether the cells with hints are drawn (key ``g``)."""

    @property
    def target_size(self) -> tuple[int, int]:
        """The widget's size in device pixels: what a picture for it should be fitted to.
        Safe to read from any thread (one tuple, replaced whole on resize)."""
        return self._target

    def resizeEvent(self, event: QResizeEvent | None) -> None:
        ratio = self.devicePixelRatioF()
        self._target = (round(self.width() * ratio), round(self.height() * ratio))
        super().resizeEvent(event)

    def _paint_regions(self, painter: QPainter, rect: QRectF) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for cell in self.regions:
            if cell.hints:
                r, g, b = HINT_SPECS[min(cell.hints, key=list(Hint).index)].colour
                painter.setPen(QPen(QColor(r, g, b), 3))
                painter.drawRect(QRectF(rect.left() + cell.x * rect.width(), rect.top() + cell.y * rect.height(),
                                        cell.w * rect.width(), cell.h * rect.height()).adjusted(2, 2, -2, -2))

    def set_frame(self, image: np.ndarray, t_capture: float | None = None,
                  picture: Picture | None = None) -> None:
        """Show ``image`` next; ``picture``, if made for this widget's current size, is drawn as
        it is (else one is made here). ``t_capture`` (``time.monotonic()`` when the frame was
        captured, default now) times its way to the screen."""
        start = time.perf_counter()
        target = self._target if self._target != (0, 0) else (self.width(), self.height())
        if picture is None or picture.target != target:
            picture = fit_picture(np.ascontiguousarray(image), target)
        self._picture = picture
        if self._t_capture is not None:
            self.frames_replaced += 1
        self._t_capture = time.monotonic() if t_capture is None else t_capture
        self.update()
        self._timings.add("gui_convert", (time.perf_counter() - start) * 1000.0)

    @property
    def image_rect(self) -> QRectF:
        """Where the picture is drawn, in widget coordinates (empty before the first frame)."""
        if self._picture is None:
            return QRectF()
        return letterbox(*self._picture.source_size, self.width(), self.height())

    def paintEvent(self, event: QPaintEvent | None) -> None:
        start = time.perf_counter()
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0))
        picture = self._picture
        if picture is not None:
            rect = self.image_rect
            image = picture.image
            ratio = self.devicePixelRatioF()
            if image.size() == QSize(round(rect.width() * ratio), round(rect.height() * ratio)):
                image.setDevicePixelRatio(ratio)
                painter.drawImage(QPointF(rect.left(), rect.top()), image)  # a copy, no scaling
            else:  # resized since the picture was made: scale until the next frame comes
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
                painter.drawImage(rect, image)
            self.frames_painted += 1
            if self.show_regions:
                self._paint_regions(painter, rect)
        painter.end()
        self._timings.add("gui_paint", (time.perf_counter() - start) * 1000.0)
        if self._t_capture is not None:
            self._timings.add("capture_to_screen", (time.monotonic() - self._t_capture) * 1000.0)
            self._t_capture = None
            self.frames_shown += 1
        if picture is not None and not self._painted_once:
            self._painted_once = True
            self.first_paint.emit(time.monotonic())
