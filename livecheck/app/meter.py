"""The quality meter: 0..100 with a coloured bar, plus how old the last learned-model score is."""
from __future__ import annotations

import time

from PyQt6.QtCore import QRectF, QSize, Qt
from PyQt6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PyQt6.QtWidgets import QWidget

from livecheck.result import FrameResult


def quality_colour(quality: float) -> QColor:
    """Red at 0, amber around 50, green at 100."""
    q = min(max(quality, 0.0), 100.0) / 100.0
    return QColor.fromHsvF(0.33 * q, 0.85, 0.92)


def model_age_text(result: FrameResult, now: float) -> str:
    """'model 0.4 s old' for the newest model score, or why there is none."""
    if result.models:
        newest = max(score.t_capture for score in result.models.values())
        return f"model {max(now - newest, 0.0):.1f} s old"
    if result.unavailable_models:
        return "model unavailable"
    return "fast checks only"


class QualityMeter(QWidget):
    def __init__(self, scale: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scale = scale
        self.quality: float | None = None
        self._result: FrameResult | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFixedSize(QSize(int(230 * scale), int(78 * scale)))

    def set_result(self, result: FrameResult) -> None:
        self._result = result
        self.quality = result.quality
        self.update()

    def age_text(self) -> str:
        return "" if self._result is None else model_age_text(self._result, time.monotonic())

    def paintEvent(self, event: QPaintEvent | None) -> None:
        if self.quality is None:
            return
        s = self.scale
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect())
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 165))
        p.drawRoundedRect(r, 10 * s, 10 * s)
        pad = 12 * s
        font = QFont()
        font.setPointSizeF(10 * s)
        p.setFont(font)
        p.setPen(QColor(220, 220, 220))
        p.drawText(QRectF(pad, pad * 0.6, r.width() - 2 * pad, 20 * s),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "Quality")
        p.drawText(QRectF(pad, r.height() - 24 * s, r.width() - 2 * pad, 20 * s),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.age_text())
        big = QFont()
        big.setPointSizeF(20 * s)
        big.setBold(True)
        p.setFont(big)
        p.setPen(QColor(255, 255, 255))
        p.drawText(QRectF(pad, 0, r.width() - 2 * pad, r.height() * 0.55),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{self.quality:.0f}")
        bar = QRectF(pad, r.height() * 0.55, r.width() - 2 * pad, 7 * s)
        p.setBrush(QColor(255, 255, 255, 50))
        p.drawRoundedRect(bar, 3 * s, 3 * s)
        filled = QRectF(bar)
        filled.setWidth(bar.width() * min(max(self.quality, 0.0), 100.0) / 100.0)
        p.setBrush(quality_colour(self.quality))
        p.drawRoundedRect(filled, 3 * s, 3 * s)
        p.end()
