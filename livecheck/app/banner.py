"""A strip across the top of the picture for source news: lost, reconnecting, demo fallback."""
from __future__ import annotations

from enum import Enum

from PyQt6.QtCore import QRectF, QSize, Qt, QTimer
from PyQt6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PyQt6.QtWidgets import QSizePolicy, QWidget

from livecheck.app.fade import FadingWidget

MAX_CHARS = 96
"""Longer messages (a stream URL, an OS error) are cut so the banner never widens the window."""


class BannerLevel(Enum):
    INFO = QColor(40, 40, 48)
    WARNING = QColor(196, 120, 0)
    ERROR = QColor(190, 30, 45)
    OK = QColor(38, 150, 74)


class Banner(FadingWidget):
    def __init__(self, scale: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.level = BannerLevel.INFO
        self._font = QFont()
        self._font.setPointSizeF(12.0 * scale)
        self._font.setBold(True)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._expiry = QTimer(self)
        self._expiry.setSingleShot(True)
        self._expiry.timeout.connect(lambda: self.set_active(False))

    def show_message(self, text: str, level: BannerLevel, timeout_s: float | None = None) -> None:
        """Show ``text``; it stays until replaced, dismissed, or ``timeout_s`` passes."""
        self.text = text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"
        self.level = level
        self._expiry.stop()
        if timeout_s is not None:
            self._expiry.start(int(timeout_s * 1000))
        self.updateGeometry()
        self.adjustSize()
        self.set_active(True)
        self.update()

    def dismiss(self) -> None:
        self._expiry.stop()
        self.set_active(False)

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self._font)
        return QSize(fm.horizontalAdvance(self.text) + 2 * fm.height(), int(fm.height() * 1.9))

    def paintEvent(self, event: QPaintEvent | None) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setOpacity(self.opacity)
        r = QRectF(self.rect())
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self.level.value)
        p.drawRoundedRect(r, 8, 8)
        p.setPen(QColor(255, 255, 255))
        p.setFont(self._font)
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, self.text)
        p.end()
