"""``Capture``: one thread that drives a Source and hands Frames over through a ring buffer.

The thread owns the device: it reads, paces, reconnects and finally releases it; the caller only
takes frames out (``get``) and asks it to ``stop``. Live capture (cameras, streams, and clips or
folders paced at their frame rate) uses a newest-frame-wins buffer, so a slow consumer sees fresh
pictures and the drops are counted; unpaced replay uses a blocking buffer and loses nothing.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from livecheck.capture.base import Read, ReadStatus, Source
from livecheck.capture.events import CaptureStats, RetryPolicy, SourceEvent, SourceEventKind
from livecheck.frame import Frame
from livecheck.imageio import quiet_opencv
from livecheck.ringbuffer import Overflow, RingBuffer

log = logging.getLogger(__name__)

EventCallback = Callable[[SourceEvent], None]

DEFAULT_CLIP_FPS = 25.0
"""Pace of a clip whose container gives no frame rate."""

LATE_RESYNC_S = 0.5
"""A paced source this far behind its clock (slow decoding, a stalled machine) restarts its clock
from now instead of bursting through the backlog."""

STOP_JOIN_S = 5.0
"""How long stop() waits for the thread. It is normally back within one frame; a stream read
blocked on the network returns within its read timeout."""


class Capture:
    """Runs one Source on a thread named ``livecheck-capture``.

    Create it with ``livecheck.capture.open_capture``. ``on_event`` is called on the capture
    thread (OPENED on the caller's, from ``start()``): keep it cheap.
    """

    def __init__(self, source: Source, *, pace: bool = True, fps: float | None = None,
                 retry: RetryPolicy | None = None, on_event: EventCallback | None = None,
                 capacity: int = 4) -> None:
        if fps is not None and fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self._source = source
        self._pace = pace and not source.live
        self._fps = fps
        self._retry = retry or RetryPolicy()
        self._on_event = on_event
        self.live = source.live or pace
        """True: newest-frame-wins buffer (drops counted). False: blocking buffer, no frame lost."""
        self._buffer: RingBuffer[Frame] = RingBuffer(capacity, Overflow.DROP_OLDEST if self.live else Overflow.BLOCK)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # guards the counters below
        self._captured = 0
        self._corrupt_skipped = 0
        self._losses = 0
        self._reconnects = 0
        self._t_first: float | None = None
        self._t_latest: float | None = None
        self._t_open = 0.0
        self._opened = False
        self._error: str | None = None

    # -- what the caller sees ------------------------------------------------------------------
    @property
    def description(self) -> str:
        return self._source.description

    @property
    def nominal_fps(self) -> float | None:
        """The rate frames are meant to come at: ``fps`` if given, else the source's own, if known."""
        return self._fps if self._fps and not self._source.live else self._source.nominal_fps

    @property
    def finished(self) -> bool:
        """The source has ended (or the capture was stopped) and every frame has been taken."""
        return self._buffer.drained

    @property
    def error(self) -> str | None:
        """Why the capture gave up (the ERROR event's message), if it did."""
        with self._lock:
            return self._error

    @property
    def stats(self) -> CaptureStats:
        with self._lock:
            span = (self._t_latest or 0.0) - (self._t_first or 0.0)
            fps = (self._captured - 1) / span if self._captured > 1 and span > 0 else 0.0
            return CaptureStats(captured=self._captured, dropped=self._buffer.dropped,
                                corrupt_skipped=self._corrupt_skipped, losses=self._losses,
                                reconnects=self._reconnects, fps=fps)

    def open(self) -> None:
        """Open the source now (raises SourceError if it cannot be opened at all), without reading.

        For callers that must fail fast on a bad source but have more to set up before frames
        flow; ``start()`` opens it if this was not called."""
        if self._opened:
            return
        quiet_opencv()
        self._source.open()
        self._opened = True
        self._t_open = time.monotonic()
        self._emit(SourceEventKind.OPENED, self.description)

    def start(self) -> None:
        """Open the source (if ``open()`` has not), then start the thread."""
        if self._thread is not None:
            raise RuntimeError("a Capture can be started once")
        self.open()
        self._thread = threading.Thread(target=self._run, name="livecheck-capture", daemon=True)
        self._thread.start()

    def get(self, timeout: float | None = None) -> Frame | None:
        """The next frame; None on timeout, or for good once ``finished``."""
        return self._buffer.get(timeout)

    def stop(self) -> None:
        """Stop the thread, join it (it releases the source), discard unread frames. Idempotent."""
        self._stop.set()
        self._buffer.close()  # wakes a producer blocked on a full buffer
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(STOP_JOIN_S)
            if self._thread.is_alive():
                log.warning("capture thread for %s still busy after %.0f s; it will release the "
                            "source when its read returns", self.description, STOP_JOIN_S)
        elif self._thread is None:
            self._source.close()
        self._buffer.clear()  # frames never analysed are counted as dropped

    def __enter__(self) -> Capture:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the thread ------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._loop()
        except Exception as error:
            log.exception("capture of %s failed", self.description)
            self._fail(f"capture of {self.description} failed: {error}")
        finally:
            self._source.close()
            self._buffer.close()

    def _loop(self) -> None:
        media_fps = self._source.media_fps
        if media_fps is None and not self._source.live:
            media_fps = self._fps or DEFAULT_CLIP_FPS
            self._emit(SourceEventKind.WARNING, f"{self.description}: frame rate unknown, "
                                                f"assuming {media_fps:g} fps")
        pacer = _Pacer(1.0 / (self._fps or media_fps)) if self._pace and media_fps else None
        seq = 0
        while not self._stop.is_set():
            read = self._source.read()
            self._note_skipped(read)
            if read.status is ReadStatus.END:
                self._emit(SourceEventKind.ENDED, read.message)
                return
            if read.status is ReadStatus.LOST:
                if self._reconnect(read.message):
                    continue
                return
            assert read.image is not None
            if pacer is not None and read.index is not None and self._stop.wait(pacer.wait(read.index)):
                return
            t_capture = time.monotonic()
            if read.index is not None and media_fps:
                t_media = read.index / media_fps
            else:
                t_media = t_capture - self._t_open
            if not self._buffer.put(Frame(seq, t_capture, t_media, read.image)):
                return  # closed by stop()
            seq += 1
            with self._lock:
                self._captured = seq
                self._t_latest = t_capture
                if self._t_first is None:
                    self._t_first = t_capture

    def _note_skipped(self, read: Read) -> None:
        if read.skipped:
            with self._lock:
                self._corrupt_skipped += read.skipped
        for warning in read.warnings:
            self._emit(SourceEventKind.WARNING, warning)

    def _reconnect(self, why: str) -> bool:
        """Reopen a lost live source with backoff; False when stopped or given up."""
        with self._lock:
            self._losses += 1
        self._emit(SourceEventKind.LOST, f"{why}; reconnecting")
        self._source.close()
        lost_at = time.monotonic()
        last_error = why
        for delay in self._retry.delays():
            if self._retry.max_wait is not None:
                left = self._retry.max_wait - (time.monotonic() - lost_at)
                if left <= 0:
                    self._fail(f"gave up on {self.description} after {self._retry.max_wait:g} s: {last_error}")
                    return False
                delay = min(delay, left)
            if self._stop.wait(delay):
                return False
            try:
                self._source.open()
            except Exception as error:
                last_error = str(error)
                continue
            with self._lock:
                self._reconnects += 1
            self._emit(SourceEventKind.RECONNECTED,
                       f"{self.description} is back after {time.monotonic() - lost_at:.1f} s")
            return True
        raise AssertionError("RetryPolicy.delays() is endless")

    def _fail(self, message: str) -> None:
        with self._lock:
            self._error = message
        self._emit(SourceEventKind.ERROR, message)

    def _emit(self, kind: SourceEventKind, message: str) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(SourceEvent(kind, message, time.monotonic()))
        except Exception:
            log.exception("on_event callback failed for %s event", kind.value)


class _Pacer:
    """Plays frame ``index`` at ``index * period`` after the first frame, on the monotonic clock.

    A reader that falls more than ``LATE_RESYNC_S`` behind (a slow decode, a suspended process)
    moves the clock on instead of rushing through the backlog.
    """

    def __init__(self, period: float) -> None:
        self._period = period
        self._zero: float | None = None
        """Monotonic time at which index 0 is due."""

    def wait(self, index: int) -> float:
        """Seconds to wait before frame ``index`` is due (0 when it is due or late)."""
        now = time.monotonic()
        if self._zero is None:
            self._zero = now - index * self._period
        wait = self._zero + index * self._period - now
        if wait < -LATE_RESYNC_S:
            self._zero -= wait
        return max(0.0, wait)
