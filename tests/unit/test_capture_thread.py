"""The capture thread against scripted sources: backoff, give-up, broken listeners, broken sources."""
from __future__ import annotations

import itertools
import threading
import time

import numpy as np
import pytest

from livecheck.capture import (
    Capture,
    Read,
    ReadStatus,
    RetryPolicy,
    Source,
    SourceError,
    SourceEvent,
    SourceEventKind,
)

pytestmark = pytest.mark.usefixtures("no_leftover_capture_threads")


class ScriptedCamera(Source):
    """A live source that gives ``frames_per_session`` frames, then is lost; reopening fails
    ``failed_reopens`` times before it works again. After ``sessions`` sessions it ends."""

    live = True

    def __init__(self, frames_per_session: int = 3, failed_reopens: int = 0, sessions: int = 1000) -> None:
        self.frames_per_session = frames_per_session
        self.failed_reopens = failed_reopens
        self.sessions = sessions
        self.sessions_done = 0
        self.open_times: list[float] = []
        self.closed = 0
        self._left = 0

    @property
    def description(self) -> str:
        return "scripted camera"

    def open(self) -> None:
        self.open_times.append(time.monotonic())
        if 1 < len(self.open_times) <= 1 + self.failed_reopens:
            raise SourceError("scripted camera unplugged")
        self._left = self.frames_per_session

    def read(self) -> Read:
        time.sleep(0.005)
        if self._left == 0:
            self.sessions_done += 1
            if self.sessions_done == self.sessions:
                return Read(ReadStatus.END, message="script over")
            return Read(ReadStatus.LOST, message="scripted camera went away")
        self._left -= 1
        return Read(ReadStatus.FRAME, np.zeros((4, 4, 3), np.uint8))

    def close(self) -> None:
        self.closed += 1


def collect(cap: Capture, timeout: float) -> list[int]:
    seqs = []
    deadline = time.monotonic() + timeout
    while not cap.finished and time.monotonic() < deadline:
        frame = cap.get(timeout=0.05)
        if frame is not None:
            seqs.append(frame.seq)
    return seqs


def test_retry_delays_double_up_to_the_ceiling() -> None:
    delays = list(itertools.islice(RetryPolicy(initial_delay=0.1, max_delay=1.0).delays(), 7))
    assert delays == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0])
    with pytest.raises(ValueError):
        RetryPolicy(initial_delay=2.0, max_delay=1.0)


def test_reconnect_backs_off_and_seq_continues() -> None:
    source = ScriptedCamera(frames_per_session=3, failed_reopens=3, sessions=2)
    events: list[SourceEvent] = []
    cap = Capture(source, retry=RetryPolicy(initial_delay=0.05, max_delay=0.2, max_wait=2.0),
                  on_event=events.append, capacity=16)
    cap.start()
    seqs = collect(cap, timeout=5)
    cap.stop()
    # lost after 3 frames; reopen attempts 0.05, 0.1, 0.2, 0.2 s apart (three fail, the fourth works)
    assert len(source.open_times) == 5
    assert np.diff(source.open_times[1:]) == pytest.approx([0.1, 0.2, 0.2], abs=0.04)
    assert seqs == [0, 1, 2, 3, 4, 5]
    assert [e.kind for e in events] == [SourceEventKind.OPENED, SourceEventKind.LOST,
                                        SourceEventKind.RECONNECTED, SourceEventKind.ENDED]
    stats = cap.stats
    assert (stats.captured, stats.losses, stats.reconnects) == (6, 1, 1)


def test_give_up_after_max_wait_ends_the_capture() -> None:
    source = ScriptedCamera(frames_per_session=2, failed_reopens=1000)
    events: list[SourceEvent] = []
    cap = Capture(source, retry=RetryPolicy(initial_delay=0.05, max_delay=0.1, max_wait=0.4),
                  on_event=events.append)
    cap.start()
    seqs = collect(cap, timeout=5)
    assert cap.finished
    cap.stop()
    assert seqs == [0, 1]
    assert [e.kind for e in events] == [SourceEventKind.OPENED, SourceEventKind.LOST, SourceEventKind.ERROR]
    assert events[2].t - events[1].t == pytest.approx(0.4, abs=0.1)
    assert cap.error == events[2].message
    assert "scripted camera unplugged" in events[2].message
    stats = cap.stats
    assert (stats.captured, stats.losses, stats.reconnects) == (2, 1, 0)
    assert source.closed >= 1


def test_a_broken_listener_does_not_stop_the_capture() -> None:
    def explode(event: SourceEvent) -> None:
        raise RuntimeError("listener bug")

    cap = Capture(ScriptedCamera(frames_per_session=1000), on_event=explode)
    cap.start()
    assert cap.get(timeout=2) is not None
    cap.stop()


def test_a_source_that_raises_ends_with_an_error_event() -> None:
    class Broken(ScriptedCamera):
        def read(self) -> Read:
            raise ValueError("decoder exploded")

    events: list[SourceEvent] = []
    source = Broken()
    cap = Capture(source, on_event=events.append)
    cap.start()
    assert cap.get(timeout=2) is None
    assert cap.finished
    assert events[-1].kind is SourceEventKind.ERROR and "decoder exploded" in events[-1].message
    assert source.closed == 1
    cap.stop()


def test_start_twice_is_an_error_and_stop_before_start_is_harmless() -> None:
    cap = Capture(ScriptedCamera())
    cap.stop()
    cap = Capture(ScriptedCamera(frames_per_session=1000))
    cap.start()
    with pytest.raises(RuntimeError):
        cap.start()
    cap.stop()


def test_stop_joins_the_thread_quickly() -> None:
    cap = Capture(ScriptedCamera(frames_per_session=10**6))
    cap.start()
    cap.get(timeout=2)
    start = time.monotonic()
    cap.stop()
    assert time.monotonic() - start < 0.5
    assert not [t for t in threading.enumerate() if t.name == "livecheck-capture"]
