"""The app's side of a run: a :class:`livecheck.session.Session` whose stream feeds the GUI thread.

The session (the same one ``replay`` and headless ``run`` use) supervises the source: it loops a
clip, reconnects a lost camera and, in a kiosk, opens a failed source again. Here a "pump"
thread reads its one ordered stream and hands each result and event to the ``ResultBridge``,
which delivers them on the GUI thread. Opening a source can block (a camera probe, a stream
connect) and stopping joins threads, so after the first open every switch runs on one background
"lifecycle" thread; the GUI thread only hears about the outcome through signals.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from importlib import resources
from pathlib import Path

from PyQt6.QtCore import QObject, pyqtSignal

from livecheck.app.bridge import ResultBridge
from livecheck.capture import RetryPolicy, SourceError, SourceEvent, SourceEventKind
from livecheck.pipeline import PipelineConfig, PipelineStats
from livecheck.session import KIOSK_RESTART_S, Session, SessionOptions, combined_stats
from livecheck.timing import StageTimes

log = logging.getLogger(__name__)


HUD_WINDOW_FRAMES = 600
"""The HUD's latency figures cover the newest this many frames (10 s at 60 fps): recent, and
cheap enough to recompute several times a second on the GUI thread."""


def demo_clip_path() -> Path:
    return Path(str(resources.files("livecheck.assets") / "demo.mp4"))


class SourceSession(QObject):
    """One source at a time, its stream feeding ``bridge``."""

    opened = pyqtSignal(str)
    """The source spec that is now running (emitted each time it opens: a loop, a restart)."""
    failed = pyqtSignal(str, str)
    """(spec, one-line reason) when ``open_later`` could not open a source."""
    ended = pyqtSignal(object)
    """The stream is over (a clip not looping, a source that gave up): the unexpected error that
    stopped the analysis, or None."""

    def __init__(self, bridge: ResultBridge, config: PipelineConfig | None, fps: float | None, *,
                 loop: bool = True, kiosk: bool = False, parent: QObject | None = None,
                 timings: StageTimes | None = None) -> None:
        super().__init__(parent)
        self.timings = timings if timings is not None else StageTimes()
        """Stage times of every pipeline this app runs (a looping clip runs many)."""
        self._bridge = bridge
        self._config = replace(config or PipelineConfig(), keep_images=True)
        self._fps = fps
        self._loop = loop
        self._kiosk = kiosk
        self._lock = threading.Lock()
        self._session: Session | None = None
        self._pump: threading.Thread | None = None
        self._past: PipelineStats | None = None
        """The sessions stopped so far, their counts added up (one record, however long the run)."""
        self.spec: str | None = None
        self.description = ""
        """What the running source is, in words."""
        self._lifecycle: ThreadPoolExecutor | None = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="livecheck-source")

    # -- called from the GUI thread --------------------------------------------------------
    def open_now(self, spec: str) -> None:
        """Open ``spec`` in the calling thread (start-up, before the window is up). Raises
        SourceError, except in a kiosk, where the session says so and tries again."""
        self._start(spec)

    def open_later(self, spec: str) -> None:
        """Stop whatever runs and open ``spec`` on the lifecycle thread; reports opened / failed.
        Ignored once the session is closed."""
        if self._lifecycle is not None:
            self._lifecycle.submit(self._reopen, spec)

    @property
    def stats(self) -> PipelineStats | None:
        """The running pipeline's figures, latencies over its recent frames (the HUD's view)."""
        with self._lock:
            session = self._session
        return session.snapshot(last=HUD_WINDOW_FRAMES) if session is not None else None

    def all_stats(self) -> list[PipelineStats]:
        """Every source this app has run, their counts added up (empty before any opened)."""
        with self._lock:
            session, past = self._session, self._past
        current = session.stats if session is not None else None
        if past is None or current is None:
            return [s for s in (past, current) if s is not None]
        return [combined_stats(past, current)]

    def close(self) -> None:
        """Stop the source (threads joined, models closed) and the lifecycle thread. Idempotent."""
        lifecycle, self._lifecycle = self._lifecycle, None
        if lifecycle is not None:
            lifecycle.submit(self._stop_current)
            lifecycle.shutdown(wait=True)

    # -- lifecycle thread ------------------------------------------------------------------
    def _reopen(self, spec: str) -> None:
        self._stop_current()
        try:
            self._start(spec)
        except SourceError as exc:
            self.failed.emit(spec, str(exc))

    def _start(self, spec: str) -> None:
        session = Session(SessionOptions(
            spec, self._config, fps=self._fps, loop=self._loop,
            retry=RetryPolicy(max_wait=None) if self._kiosk else None,  # a kiosk never gives up
            restart_after_s=KIOSK_RESTART_S if self._kiosk else None), timings=self.timings)
        session.start()
        pump = threading.Thread(target=self._forward, args=(session, spec), name="livecheck-pump", daemon=True)
        with self._lock:
            self._session, self._pump, self.spec = session, pump, spec
        pump.start()

    def _forward(self, session: Session, spec: str) -> None:
        """The pump: the session's stream, item by item, to the GUI thread."""
        for item in session:
            if isinstance(item, SourceEvent):
                if item.kind is SourceEventKind.OPENED:
                    self.description = session.description
                    log.info("watching %s", session.description)
                    self.opened.emit(spec)
                self._bridge.post_event(item)
            else:
                self._bridge.post_result(item)
        with self._lock:
            current = self._session is session
        if current:  # not one stopped on purpose (a switch, or closing)
            if session.error is not None:
                log.error("analysis stopped: %r", session.error)
            self.ended.emit(session.error)

    def _stop_current(self) -> None:
        with self._lock:
            session, pump, self._session, self._pump = self._session, self._pump, None, None
        if session is None:
            return
        session.stop()
        if pump is not None:
            pump.join(timeout=5.0)
        stats = session.stats
        if stats is not None:
            with self._lock:
                self._past = stats if self._past is None else combined_stats(self._past, stats)
