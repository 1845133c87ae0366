"""Network stream source against the local MJPEG server: open, lose, reconnect, give up, stop."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from livecheck.capture import (
    Capture,
    RetryPolicy,
    SourceError,
    SourceEvent,
    SourceEventKind,
    StreamSource,
    open_capture,
)
from livecheck.capture.stream import redact
from livecheck.dev.mjpeg_server import MjpegServer
from livecheck.frame import Frame

pytestmark = pytest.mark.usefixtures("no_leftover_capture_threads")


class EventLog:
    """Collects events (from the capture thread) and lets the test wait for one."""

    def __init__(self) -> None:
        self.events: list[SourceEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: SourceEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, kind: SourceEventKind, timeout: float) -> SourceEvent:
        with self._cond:
            assert self._cond.wait_for(lambda: any(e.kind is kind for e in self.events), timeout), \
                f"no {kind.value} event within {timeout} s: {[e.kind.value for e in self.events]}"
            return next(e for e in self.events if e.kind is kind)

    def kinds(self) -> list[SourceEventKind]:
        with self._cond:
            return [e.kind for e in self.events]


def take(cap, n: int, timeout: float = 5.0) -> list[Frame]:
    frames: list[Frame] = []
    deadline = time.monotonic() + timeout
    while len(frames) < n and time.monotonic() < deadline:
        frame = cap.get(timeout=0.1)
        if frame is not None:
            frames.append(frame)
    assert len(frames) == n, f"got {len(frames)} of {n} frames"
    return frames


def test_stream_delivers_live_frames(mjpeg_server: MjpegServer) -> None:
    cap = open_capture(mjpeg_server.url)
    assert cap.live
    cap.start()
    frames = take(cap, 10)
    cap.stop()
    assert [f.seq for f in frames] == sorted(f.seq for f in frames)
    assert all(f.image.shape == (120, 160, 3) for f in frames)
    assert 0 <= frames[0].t_media < frames[-1].t_media < 5, "live t_media is time since start"
    assert cap.description == f"stream {mjpeg_server.url} (160x120)"
    assert cap.nominal_fps is None, "an MJPEG stream's reported rate is not trusted"


def test_unreachable_stream_fails_with_a_clear_reason() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free, nothing listens
    cap = open_capture(f"http://127.0.0.1:{port}/stream.mjpg")
    start = time.monotonic()
    with pytest.raises(SourceError, match=f"cannot reach http://127.0.0.1:{port}/stream.mjpg: connection refused"):
        cap.start()
    assert time.monotonic() - start < 1
    cap.stop()


def test_server_without_video_fails_with_a_clear_reason(mjpeg_server: MjpegServer) -> None:
    cap = open_capture(f"http://127.0.0.1:{mjpeg_server.port}/nothing-here")
    with pytest.raises(SourceError, match="gives no video"):
        cap.start()
    cap.stop()


def test_lost_stream_reconnects_within_two_seconds_of_coming_back(mjpeg_server: MjpegServer) -> None:
    log = EventLog()
    cap = open_capture(mjpeg_server.url, on_event=log, retry=RetryPolicy(initial_delay=0.1, max_delay=1.0))
    cap.start()
    before = take(cap, 5)
    mjpeg_server.stop()
    log.wait_for(SourceEventKind.LOST, timeout=3)
    time.sleep(2.5)  # down long enough for the backoff to reach its 1 s ceiling
    back_at = time.monotonic()
    mjpeg_server.start()
    reconnected = log.wait_for(SourceEventKind.RECONNECTED, timeout=3)
    assert reconnected.t - back_at < 2.0
    while cap.get(timeout=0) is not None:  # frames from before the loss may still be queued
        pass
    after = take(cap, 5)
    cap.stop()
    assert after[0].seq > before[-1].seq, "seq keeps increasing across the reconnect"
    assert after[0].t_capture > back_at
    stats = cap.stats
    assert (stats.losses, stats.reconnects) == (1, 1)
    assert log.kinds()[:3] == [SourceEventKind.OPENED, SourceEventKind.LOST, SourceEventKind.RECONNECTED]


def test_capture_gives_up_after_max_wait(mjpeg_server: MjpegServer) -> None:
    log = EventLog()
    cap = open_capture(mjpeg_server.url, on_event=log, retry=RetryPolicy(max_wait=0.5))
    cap.start()
    take(cap, 2)
    mjpeg_server.stop()
    lost = log.wait_for(SourceEventKind.LOST, timeout=3)
    error = log.wait_for(SourceEventKind.ERROR, timeout=3)
    assert 0.4 <= error.t - lost.t < 1.5
    assert "gave up on stream" in error.message and "connection refused" in error.message
    deadline = time.monotonic() + 3
    while not cap.finished and time.monotonic() < deadline:
        cap.get(timeout=0.1)
    assert cap.finished
    assert cap.error == error.message
    cap.stop()


def test_stop_is_fast_while_streaming_and_while_reconnecting(mjpeg_server: MjpegServer) -> None:
    cap = open_capture(mjpeg_server.url, retry=RetryPolicy(max_wait=None))
    cap.start()
    take(cap, 3)
    start = time.monotonic()
    cap.stop()
    assert time.monotonic() - start < 1.0

    log = EventLog()
    cap = open_capture(mjpeg_server.url, retry=RetryPolicy(max_wait=None), on_event=log)
    cap.start()
    take(cap, 1)
    mjpeg_server.stop()
    log.wait_for(SourceEventKind.LOST, timeout=3)
    time.sleep(0.3)
    start = time.monotonic()
    cap.stop()
    assert time.monotonic() - start < 1.0


def test_passwords_stay_out_of_messages() -> None:
    assert redact("rtsp://admin:s3cret@10.0.0.2:554/live") == "rtsp://admin:***@10.0.0.2:554/live"
    assert redact("http://cam.local/video.mjpg") == "http://cam.local/video.mjpg"


def test_a_frozen_stream_is_lost_after_the_read_timeout_and_stop_stays_bounded(mjpeg_server: MjpegServer) -> None:
    log = EventLog()
    source = StreamSource(mjpeg_server.url, read_timeout_s=0.5)
    cap = Capture(source, retry=RetryPolicy(max_wait=None), on_event=log)
    cap.start()
    take(cap, 2)
    mjpeg_server.stalled.set()
    frozen_at = time.monotonic()
    lost = log.wait_for(SourceEventKind.LOST, timeout=3)
    assert 0.3 < lost.t - frozen_at < 1.5
    mjpeg_server.stalled.clear()
    log.wait_for(SourceEventKind.RECONNECTED, timeout=3)
    mjpeg_server.stalled.set()  # freeze again, then stop while a read is blocked
    time.sleep(0.1)
    start = time.monotonic()
    cap.stop()
    assert time.monotonic() - start < 1.0
