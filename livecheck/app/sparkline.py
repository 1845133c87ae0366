"""Quality over the last few seconds, as a line."""
from __future__ import annotations

import time
from collections import deque

from PyQt6.QtCore import QPointF, QSize, Qt
from PyQt6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PyQt6.QtWidgets import QWidget


class Sparkline(QWidget):
    """Keeps (time, value) samples for ``window_s`` seconds; values are drawn on a 0..``top`` axis."""

    def __init__(self, window_s: float = 10.0, top: float = 100.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_s = window_s
        self.top = top
        self._samples: deque[tuple[float, float]] = deque()
        self.setMinimumSize(120, 36)

    def add(self, value: float, t: float | None = None) -> None:
        now = time.monotonic() if t is None else t
        self._samples.append((now, value))
        while self._samples and self._samples[0][0] < now - self.window_s:
            self._samples.popleft()
        self.update()

    def values(self) -> list[float]:
        return [v for _, v in self._samples]

    def sizeHint(self) -> QSize:
        return QSize(240, 44)

    def paintEvent(self, event: QPaintEvent | None) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        p.setPen(QPen(QColor(255, 255, 255, 60), 1, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(0, h / 2), QPointF(w, h / 2))
        if len(self._samples) >= 2:
            t_end = self._samples[-1][0]
            points = QPolygonF(
                QPointF((t - t_end + self.window_s) / self.window_s * (w - 1),
                        (1.0 - min(max(v / self.top, 0.0), 1.0)) * (h - 2) + 1)
                for t, v in self._samples
            )
            p.setPen(QPen(QColor(120, 220, 255), 1.6))
            p.drawPolyline(points)
        p.end()
