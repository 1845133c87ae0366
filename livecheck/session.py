"""One run of the monitor: builds the capture and the pipeline from one options object, supervises
them, and hands its consumer one ordered stream of frame results and source events.

Every command is a consumer: ``replay`` writes the stream as JSON lines, headless ``run`` prints
the hint changes, the Qt app forwards it to its GUI thread, the bench and the soak count it. The
session does what each of them would otherwise wire by hand:

* **one stream, in source order.** Results come from the worker, events from the capture thread;
  each event is tagged with the number of frames captured before it and held back until every
  one of those frames has come out, so a ``lost`` line sits where the frames stopped;
* **looping** (``loop``): a clip or folder that ends starts again (the hint engine forgets, as
  for a seek);
* **restarts** (``restart_after_s``, kiosks): a source that cannot be opened, or that gave up,
  is opened again after that long, for ever; reconnecting a lost live source within one capture
  is the capture's own ``RetryPolicy``;
* **stop**: ``stop()`` (any thread) ends the stream; threads are joined and models closed.
"""
from __future__ import annotations

import os
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from livecheck.analyser import ModelLoader
from livecheck.capture import Capture, RetryPolicy, Source, SourceError, SourceEvent, SourceEventKind, open_capture
from livecheck.models import load_model
from livecheck.pipeline import Pipeline, PipelineConfig, PipelineStats
from livecheck.result import FrameResult
from livecheck.timing import StageTimes

SessionItem = FrameResult | SourceEvent

KIOSK_RESTART_S = 2.0
"""Kiosks (window or headless): how long to wait before opening a failed source again."""


@dataclass(frozen=True, slots=True)
class SessionOptions:
    source: str | int | os.PathLike[str] | Source
    """Camera index, video file, image folder or glob, or stream URL; or a Source of your own."""
    config: PipelineConfig = field(default_factory=PipelineConfig)
    pace: bool = True
    """Play clips and folders in real time, newest frame wins (as a camera); False analyses every
    frame as fast as possible, deterministically."""
    fps: float | None = None
    """Pace clips and folders at this rate instead of their own."""
    loop: bool = False
    """Start a clip or folder again when it ends."""
    retry: RetryPolicy | None = None
    """How a lost camera or stream is reconnected within one capture (None: the capture's default)."""
    restart_after_s: float | None = None
    """Open the source again this long after it failed to open or gave up; None: the session ends."""
    wait_for_models: bool = False
    """Load the models before the first frame flows (a replay standing in for a camera)."""


class FrameOrder:
    """Passes frame results and source events on in the order they happened at the source.

    The capture thread reports an event at once, while the frames it read just before are still
    queued for analysis; so each event comes tagged with the seq of the first frame captured after
    it, and is held back until every frame before that one has been passed on.
    """

    def __init__(self, emit: Callable[[SessionItem], None]) -> None:
        self._emit = emit
        self._held: deque[tuple[int, SourceEvent]] = deque()
        self._next_seq = 0

    def event(self, next_seq: int, event: SourceEvent) -> None:
        self._held.append((next_seq, event))
        self._release(self._next_seq)

    def frame(self, result: FrameResult) -> None:
        self._release(result.seq)  # frames between the event and this one may have been dropped
        self._emit(result)
        self._next_seq = result.seq + 1
        self._release(self._next_seq)

    def flush(self) -> None:
        """Pass on every event still held (the source is over); the next source counts from 0."""
        self._release(sys.maxsize)
        self._next_seq = 0

    def _release(self, up_to_seq: int) -> None:
        while self._held and self._held[0][0] <= up_to_seq:
            self._emit(self._held.popleft()[1])


class Session:
    """A supervised run of one source. Iterate it (or call :meth:`next`) from one consumer thread."""

    def __init__(self, options: SessionOptions, *, model_loader: ModelLoader = load_model,
                 timings: StageTimes | None = None) -> None:
        self.options = options
        self._loader = model_loader
        self.timings = timings if timings is not None else StageTimes()
        """Stage times of every pipeline the session runs (a looping clip runs many)."""
        self._items: queue.SimpleQueue[FrameResult | tuple[int, SourceEvent]] = queue.SimpleQueue()
        self._ready: deque[SessionItem] = deque()
        self._order = FrameOrder(self._ready.append)
        self._lock = threading.Lock()
        self._pipeline: Pipeline | None = None
        """The running pipeline; None between sources."""
        self._last: Pipeline | None = None
        """The newest pipeline, running or ended: what the model and error figures come from."""
        self._capture: Capture | None = None
        self._capture_error: str | None = None
        self._past: PipelineStats | None = None
        """The pipelines that have ended, their counts added up."""
        self._restart_at: float | None = None
        self._stopped = threading.Event()
        self._ended = False
        self.description = ""
        """What the running source is, in words."""

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Open the source and start the threads. Raises SourceError when it cannot be opened
        and no restart is asked for; with ``restart_after_s`` the failure is an ERROR event and
        the session tries again."""
        try:
            self._open()
        except SourceError as exc:
            if self.options.restart_after_s is None:
                raise
            self._schedule_restart(str(exc))

    def stop(self) -> None:
        """End the stream: stop the capture, join the threads, close the models. Idempotent;
        safe from any thread."""
        self._stopped.set()
        with self._lock:
            pipeline = self._pipeline
        if pipeline is not None:
            pipeline.stop()

    def __enter__(self) -> Session:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the stream ------------------------------------------------------------------------
    def __iter__(self) -> Iterator[SessionItem]:
        while (item := self.next(timeout=0.1)) is not None or not self.ended:
            if item is not None:
                yield item

    def next(self, timeout: float | None = None) -> SessionItem | None:
        """The next result or event in source order; None when nothing came within ``timeout``
        or the stream has ended (see :attr:`ended`)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._ready:
            if self._ended:
                return None
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self._pump(remaining) and remaining is not None and remaining <= 0:
                return None
        return self._ready.popleft()

    @property
    def ended(self) -> bool:
        """The stream is over: the source ended (not looping), gave up (no restart), or stop()."""
        return self._ended and not self._ready

    # -- what the run did ------------------------------------------------------------------
    @property
    def stats(self) -> PipelineStats | None:
        """Every pipeline's counts added up (latencies from the shared StageTimes); None before
        any source opened."""
        with self._lock:
            pipeline, past = self._pipeline, self._past
        current = pipeline.stats if pipeline is not None else None
        if past is None or current is None:
            return current or past
        return combined_stats(past, current)

    def snapshot(self, last: int | None = None) -> PipelineStats | None:
        """The running pipeline's figures, latencies over its ``last`` frames (a HUD's view)."""
        with self._lock:
            pipeline = self._pipeline
        return pipeline.snapshot(last) if pipeline is not None else None

    @property
    def unavailable_models(self) -> dict[str, str]:
        with self._lock:
            pipeline = self._last
        return pipeline.unavailable_models if pipeline is not None else {}

    @property
    def failed_models(self) -> dict[str, str]:
        """Each model that failed on some frame of the newest source -> its first failure."""
        with self._lock:
            pipeline = self._last
        return pipeline.failed_models if pipeline is not None else {}

    @property
    def error(self) -> BaseException | None:
        """An unexpected exception that stopped the worker (a bug, not a user error)."""
        with self._lock:
            pipeline = self._last
        return pipeline.error if pipeline is not None else None

    @property
    def source_error(self) -> str | None:
        """Why the source gave up, when it did (its ERROR event said so too)."""
        return self._capture_error

    # -- supervision (on the consumer's thread) -----------------------------------------------
    def _open(self) -> None:
        o = self.options

        def on_event(event: SourceEvent) -> None:
            self._items.put((capture.stats.captured, event))  # captured so far = seq of the next frame

        if isinstance(o.source, Source):
            capture = Capture(o.source, pace=o.pace, fps=o.fps, retry=o.retry, on_event=on_event)
        else:
            capture = open_capture(o.source, pace=o.pace, fps=o.fps, retry=o.retry, on_event=on_event,
                                   decode_to=o.config.view_size)
        pipeline = Pipeline(capture, o.config, on_result=self._items.put, model_loader=self._loader,
                            timings=self.timings)
        pipeline.start(wait_for_models=o.wait_for_models)
        with self._lock:
            self._pipeline = self._last = pipeline
            self._capture = capture
        self.description = capture.description

    def _pump(self, timeout: float | None) -> bool:
        """Move what arrived into the ready queue, in order; supervise. True if anything moved."""
        with self._lock:
            pipeline = self._pipeline
        if pipeline is None:
            return self._wait_for_restart(timeout)
        finished = pipeline.finished or self._stopped.is_set()
        try:
            item = self._items.get(timeout=0 if finished else timeout)
        except queue.Empty:
            if finished:
                self._source_over(pipeline)
            return False
        if isinstance(item, FrameResult):
            self._order.frame(item)
        else:
            self._order.event(*item)
        return True

    def _source_over(self, pipeline: Pipeline) -> None:
        """The pipeline has ended and everything it made is out: loop, restart, or end."""
        pipeline.stop()
        self._order.flush()
        capture_error = self._capture.error if self._capture is not None else None
        with self._lock:
            self._pipeline = None
            stats = pipeline.stats
            self._past = stats if self._past is None else combined_stats(self._past, stats)
        o = self.options
        if self._stopped.is_set() or pipeline.error is not None:
            self._ended = True
        elif capture_error is None and o.loop and stats.analysed > 0:
            try:
                self._open()
            except SourceError as exc:
                self._give_up_or_restart(str(exc))
        elif capture_error is not None or o.restart_after_s is not None:
            self._give_up_or_restart(capture_error)
        else:
            self._ended = True

    def _give_up_or_restart(self, why: str | None) -> None:
        if why is not None:
            self._capture_error = why
        if self.options.restart_after_s is None:
            self._ended = True
        else:
            self._schedule_restart(why)

    def _schedule_restart(self, why: str | None) -> None:
        delay = self.options.restart_after_s
        assert delay is not None
        message = f"restarting in {delay:g} s" + (f" ({why})" if why else "")
        self._ready.append(SourceEvent(SourceEventKind.RESTARTING, message, time.monotonic()))
        self._restart_at = time.monotonic() + delay

    def _wait_for_restart(self, timeout: float | None) -> bool:
        """Between sources: wait (at most ``timeout``) for the restart slot, then open again."""
        if self._restart_at is None:
            self._ended = True
            return False
        wait = max(0.0, self._restart_at - time.monotonic())
        if timeout is not None and wait > timeout:
            self._ended = self._stopped.wait(timeout)
            return False
        if self._stopped.wait(wait):
            self._ended = True
            return False
        self._restart_at = None
        try:
            self._open()
        except SourceError as exc:
            self._schedule_restart(str(exc))
        return True


def combined_stats(a: PipelineStats, b: PipelineStats) -> PipelineStats:
    """``a`` with ``b``'s counts added (latencies live in the shared StageTimes, not here)."""
    def plus(x: dict[str, int], y: dict[str, int]) -> dict[str, int]:
        return {k: x.get(k, 0) + y.get(k, 0) for k in x.keys() | y.keys()}

    return replace(b, captured=a.captured + b.captured, analysed=a.analysed + b.analysed,
                   dropped=a.dropped + b.dropped, corrupt_skipped=a.corrupt_skipped + b.corrupt_skipped,
                   losses=a.losses + b.losses, reconnects=a.reconnects + b.reconnects,
                   model_runs=plus(a.model_runs, b.model_runs),
                   model_failures=plus(a.model_failures, b.model_failures))
