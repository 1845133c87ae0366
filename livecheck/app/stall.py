"""Measures how long the Qt event loop goes without running: the UI's responsiveness."""
from __future__ import annotations

import time

from PyQt6.QtCore import QObject, Qt, QTimer

from livecheck.timing import run_queue_wait_s


class StallMeter(QObject):
    """A precise timer ticking every ``interval_ms`` in the GUI thread; a late tick is a stall.

    ``max_stall_ms``: the longest gap between ticks, minus the interval, since ``reset()``: what
    the user sees. ``max_own_stall_ms``: the same gap less the time the GUI thread sat in the
    OS run queue waiting for a CPU (Linux only; elsewhere it equals ``max_stall_ms``): the part
    the app is answerable for (its own work in the loop, or waiting for the GIL or a lock).
    """

    def __init__(self, interval_ms: int = 10, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last: float | None = None
        self._last_wait: float | None = None
        self.max_stall_ms = 0.0
        self.max_own_stall_ms = 0.0
        self.warmup_max_stall_ms = 0.0
        self.warmup_max_own_stall_ms = 0.0
        self.ticks = 0

    def start(self) -> None:
        self.reset()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def reset(self) -> None:
        self._last = None
        self.max_stall_ms = 0.0
        self.max_own_stall_ms = 0.0
        self.ticks = 0

    def mark_warm(self) -> None:
        """Keep the start-up maxima apart (``warmup_*``) and measure the steady state from here."""
        self.warmup_max_stall_ms, self.warmup_max_own_stall_ms = self.max_stall_ms, self.max_own_stall_ms
        self.max_stall_ms = self.max_own_stall_ms = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        wait = run_queue_wait_s()
        if self._last is not None:
            stall = (now - self._last) * 1000.0 - self.interval_ms
            queued = 0.0
            if wait is not None and self._last_wait is not None:
                queued = (wait - self._last_wait) * 1000.0
            self.max_stall_ms = max(self.max_stall_ms, stall)
            self.max_own_stall_ms = max(self.max_own_stall_ms, stall - queued)
        self._last, self._last_wait = now, wait
        self.ticks += 1
