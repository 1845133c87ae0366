"""Owns the running pipeline for the app: open, fall back, loop a finished clip, restart.

Opening a source can block (a camera probe, a stream connect) and ``Pipeline.stop()`` joins
threads, so after the first open every start and stop runs on one background "lifecycle" thread;
the GUI thread only hears about the outcome through signals and never stalls on a source.
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
from livecheck.capture import RetryPolicy, SourceError, open_capture
from livecheck.pipeline import Pipeline, PipelineConfig, PipelineStats
from livecheck.timing import StageTimes

log = logging.getLogger(__name__)


HUD_WINDOW_FRAMES = 600
"""The HUD's latency figures cover the newest this many frames (10 s at 60 fps): recent, and
cheap enough to recompute several times a second on the GUI thread."""


def demo_clip_path() -> Path:
    return Path(str(resources.files("livecheck.assets") / "demo.mp4"))


def is_camera_index(spec: str) -> bool:
    return spec.strip().isdigit()


class SourceSession(QObject):
    """One source at a time, with its pipeline feeding ``bridge``."""

    opened = pyqtSignal(str)
    """The source spec that is now running (from ``open_now``'s thread or the lifecycle thread)."""
    failed = pyqtSignal(str, str)
    """(spec, one-line reason) when a source could not be opened."""

    def __init__(self, bridge: ResultBridge, config: PipelineConfig | None, fps: float | None,
                 retry: RetryPolicy | None = None, parent: QObject | None = None,
                 timings: StageTimes | None = None) -> None:
        super().__init__(parent)
        self.timings = timings if timings is not None else StageTimes()
        """Stage times of every pipeline this session runs (a looping clip runs many)."""
        self._finished: PipelineStats | None = None
        """The pipelines stopped so far, their counts added up (one record, however long the run)."""
        self._bridge = bridge
        self._config = replace(config or PipelineConfig(), keep_images=True)
        self._fps = fps
        self._retry = retry
        self._lock = threading.Lock()
        self._pipeline: Pipeline | None = None
        self.spec: str | None = None
        self.description = ""
        """What the running source is, in words (from the capture)."""
        self.analysed = 0
        self.dropped = 0
        """Frames analysed and dropped by every pipeline stopped so far (a looping clip runs many)."""
        self._closed = False
        self._lifecycle = ThreadPoolExecutor(max_workers=1, thread_name_prefix="livecheck-source")

    # -- called from the GUI thread --------------------------------------------------------
    def open_now(self, spec: str) -> None:
        """Open ``spec`` in the calling thread (start-up, before the window is up). Raises SourceError."""
        self._start(spec)

    def open_later(self, spec: str) -> None:
        """Stop whatever runs and open ``spec`` on the lifecycle thread; reports opened / failed.

        Ignored once the session is closed.
        """
        if not self._closed:
            self._lifecycle.submit(self._reopen, spec)

    @property
    def stats(self) -> PipelineStats | None:
        """The running pipeline's figures, latencies over its recent frames (the HUD's view)."""
        with self._lock:
            pipeline = self._pipeline
        return pipeline.snapshot(last=HUD_WINDOW_FRAMES) if pipeline is not None else None

    def all_stats(self) -> list[PipelineStats]:
        """The stats of every pipeline this session has run, the running one last."""
        with self._lock:
            pipeline, done = self._pipeline, self._finished
        return ([done] if done is not None else []) + ([pipeline.stats] if pipeline is not None else [])

    def finished(self) -> tuple[bool, BaseException | None]:
        """(the source has ended or given up, the unexpected error that stopped it, if any)."""
        with self._lock:
            pipeline = self._pipeline
        if pipeline is None:
            return False, None
        return pipeline.finished, pipeline.error

    def close(self) -> None:
        """Stop the pipeline (threads joined, models closed) and the lifecycle thread. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._lifecycle.submit(self._stop_current)
        self._lifecycle.shutdown(wait=True)

    # -- lifecycle thread ------------------------------------------------------------------
    def _reopen(self, spec: str) -> None:
        self._stop_current()
        try:
            self._start(spec)
        except SourceError as exc:
            self.failed.emit(spec, str(exc))

    def _start(self, spec: str) -> None:
        capture = open_capture(spec, pace=True, fps=self._fps, retry=self._retry,
                               on_event=self._bridge.post_event)
        pipeline = Pipeline(capture, self._config, on_result=self._bridge.post_result, timings=self.timings)
        pipeline.start()
        log.info("watching %s", capture.description)
        with self._lock:
            self._pipeline, self.spec, self.description = pipeline, spec, capture.description
        self.opened.emit(spec)

    def _stop_current(self) -> None:
        with self._lock:
            pipeline, self._pipeline = self._pipeline, None
        if pipeline is not None:
            pipeline.stop()
            stats = pipeline.stats
            self.analysed += stats.analysed
            self.dropped += stats.dropped
            with self._lock:
                self._finished = stats if self._finished is None else _added(self._finished, stats)


def _added(a: PipelineStats, b: PipelineStats) -> PipelineStats:
    """``a`` with ``b``'s counts added (latencies live in the shared StageTimes, not here)."""
    def plus(x: dict[str, int], y: dict[str, int]) -> dict[str, int]:
        return {k: x.get(k, 0) + y.get(k, 0) for k in x.keys() | y.keys()}

    return replace(a, captured=a.captured + b.captured, analysed=a.analysed + b.analysed,
                   dropped=a.dropped + b.dropped, corrupt_skipped=a.corrupt_skipped + b.corrupt_skipped,
                   losses=a.losses + b.losses, reconnects=a.reconnects + b.reconnects,
                   model_runs=plus(a.model_runs, b.model_runs),
                   model_failures=plus(a.model_failures, b.model_failures))
