"""Measures how long the Qt event loop goes without running: the UI's responsiveness."""
from __future__ import annotations

import time

from PyQt6.QtCore import QObject, Qt, QTimer


class StallMeter(QObject):
    """A precise timer ticking every ``interval_ms``; a late tick means the loop was busy.

    ``max_stall_ms`` is the longest gap between ticks minus the interval since ``reset()``.
    """

    def __init__(self, interval_ms: int = 10, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last: float | None = None
        self.max_stall_ms = 0.0
        self.ticks = 0

    def start(self) -> None:
        self.reset()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def reset(self) -> None:
        self._last = None
        self.max_stall_ms = 0.0
        self.ticks = 0

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            stall = (now - self._last) * 1000.0 - self.interval_ms
            self.max_stall_ms = max(self.max_stall_ms, stall)
        self._last = now
        self.ticks += 1
