"""Worker-thread -> GUI-thread hand-over.

The pipeline calls ``post_result`` / ``post_event`` from its capture and worker threads. Results
are coalesced into one latest-result slot: if the GUI is busy when new results arrive, the older
ones are skipped (and counted), never queued up, so the preview cannot fall behind the source.
Source events are rare and all matter, so each one is delivered.

A ``prepare`` function, if set, runs on the posting (worker) thread for each result and its
output travels with the result (``shown``): the preview's picture is made there, scaled and
converted while the GUI thread is free to paint the previous one.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from PyQt6.QtCore import QObject, Qt, pyqtSignal

from livecheck.result import FrameResult


class ResultBridge(QObject):
    """Lives in the GUI thread; safe to call ``post_*`` from any thread."""

    result = pyqtSignal(object)
    """The newest FrameResult, emitted in the GUI thread."""
    shown = pyqtSignal(object, object)
    """(the newest FrameResult, what ``prepare`` made of it or None), emitted just before ``result``."""
    source_event = pyqtSignal(object)
    """A capture SourceEvent, emitted in the GUI thread."""

    _wake = pyqtSignal()
    _event_posted = pyqtSignal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._latest: FrameResult | None = None
        self._prepared: object = None
        self._prepare: Callable[[FrameResult], object] | None = None
        self._skipped = 0
        self._delivered = 0
        # Explicitly queued: even when posted from the GUI thread itself (tests), delivery happens
        # from the event loop, never inside the caller.
        self._wake.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._event_posted.connect(self.source_event, Qt.ConnectionType.QueuedConnection)

    def set_prepare(self, prepare: Callable[[FrameResult], object] | None) -> None:
        """Run ``prepare(result)`` on the posting thread for every result posted from now on."""
        self._prepare = prepare

    def post_result(self, result: FrameResult) -> None:
        prepare = self._prepare
        prepared = prepare(result) if prepare is not None else None
        with self._lock:
            wake = self._latest is None
            if not wake:
                self._skipped += 1
            self._latest, self._prepared = result, prepared
        if wake:
            self._wake.emit()

    def post_event(self, event: object) -> None:
        self._event_posted.emit(event)

    @property
    def skipped(self) -> int:
        """Results replaced by a newer one before the GUI got to them."""
        with self._lock:
            return self._skipped

    @property
    def delivered(self) -> int:
        with self._lock:
            return self._delivered

    def _deliver(self) -> None:
        with self._lock:
            latest, self._latest = self._latest, None
            prepared, self._prepared = self._prepared, None
            if latest is not None:
                self._delivered += 1
        if latest is not None:
            self.shown.emit(latest, prepared)
            self.result.emit(latest)
