"""SIGINT / SIGTERM while Qt's event loop runs.

Python runs signal handlers only between bytecodes, and the Qt loop sits in C++ for as long as
nothing happens, so a Ctrl-C would wait for the next mouse move. ``signal.set_wakeup_fd`` writes a
byte to a socket on every signal; a QSocketNotifier on the other end wakes the loop at once and
the Python handler runs.
"""
from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType

from PyQt6.QtCore import QObject, QSocketNotifier

QUIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class SignalQuit(QObject):
    """While installed, SIGINT/SIGTERM call ``on_signal(signum)`` in the GUI thread."""

    def __init__(self, on_signal: Callable[[int], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_signal = on_signal
        self.signum = 0
        self._previous: dict[int, object] = {}
        self._previous_fd = -1
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def install(self) -> bool:
        """Take over the signals; False (and nothing changed) outside the main thread."""
        if threading.current_thread() is not threading.main_thread():
            return False
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        for sig in QUIT_SIGNALS:
            self._previous[sig] = signal.signal(sig, self._handle)
        return True

    def uninstall(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        if self._previous:
            signal.set_wakeup_fd(self._previous_fd)
        self._previous.clear()
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if not self.signum:  # a second Ctrl-C while stopping changes nothing
            self.signum = signum
            self._on_signal(signum)

    def _drain(self) -> None:
        try:
            while self._reader.recv(64):
                pass
        except BlockingIOError:
            pass
