"""Sources that go wrong under a running `livecheck` command: a network camera that drops out and
comes back, and a clip with undecodable frames in the middle.

tests/test_capture_stream.py and tests/test_capture_video.py check the Capture itself; here the
whole command runs in a subprocess and its JSON lines and messages are what is checked.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest
from support.media import corrupt_frames, write_video

from livecheck import capture, session
from livecheck.capture import SourceEvent, SourceEventKind
from livecheck.cli import main
from livecheck.dev.mjpeg_server import MjpegServer
from livecheck.result import FrameResult
from livecheck.session import FrameOrder

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def start(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "livecheck", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV)


class Lines:
    """The lines a subprocess writes to one pipe, read on a thread so that waiting can time out."""

    def __init__(self, pipe: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.SimpleQueue[str] = queue.SimpleQueue()
        threading.Thread(target=self._pump, args=(pipe,), daemon=True).start()

    def _pump(self, pipe: IO[str]) -> None:
        for line in pipe:
            self._queue.put(line)

    def wait_for(self, fragment: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(line)
            if fragment in line:
                return line
        raise AssertionError(f"no line with {fragment!r} within {timeout} s; got {self.seen[-5:]}")


def complete_lines(path: Path) -> list[dict]:
    """The JSON lines written so far (a line still being written is left out)."""
    if not path.exists():
        return []
    text = path.read_text()
    return [json.loads(line) for line in text[: text.rfind("\n") + 1].splitlines()]


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> float:
    start_t = time.monotonic()
    while not condition():
        assert time.monotonic() - start_t < timeout, f"timed out waiting for {what}"
        time.sleep(0.02)
    return time.monotonic()


def frames_after(lines: list[dict], event: str) -> list[int]:
    kinds = [line.get("event") for line in lines]
    if event not in kinds:
        return []
    return [line["frame"] for line in lines[kinds.index(event):] if "frame" in line]


# --- a network camera that drops out -------------------------------------------------------------

def test_replay_of_a_stream_survives_the_camera_going_away(mjpeg_server: MjpegServer, tmp_path: Path) -> None:
    out = tmp_path / "live.jsonl"
    proc = start("replay", mjpeg_server.url, "--no-models", "--jsonl", str(out))
    try:
        wait_until(lambda: sum("frame" in line for line in complete_lines(out)) >= 10, 20, "first frames")
        mjpeg_server.stop()
        wait_until(lambda: any(line.get("event") == "lost" for line in complete_lines(out)), 5, "lost event")
        time.sleep(0.7)  # down long enough for a reconnect attempt or two to fail
        mjpeg_server.start()  # same port
        back = time.monotonic()
        resumed = wait_until(lambda: frames_after(complete_lines(out), "reconnected"), 5, "frames after reconnect")
        assert resumed - back < 2.0, f"frames resumed {resumed - back:.1f} s after the camera came back"
        wait_until(lambda: len(frames_after(complete_lines(out), "reconnected")) >= 10, 10, "replay going on")
        assert proc.poll() is None, "replay still running"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
        assert time.monotonic() - sent < 1.0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert "livecheck: lost: " in err and "livecheck: reconnected: " in err
    text = out.read_text()
    assert text.endswith("\n")
    lines = [json.loads(line) for line in text.splitlines()]  # every line parses
    events = [line["event"] for line in lines if "event" in line]
    assert events[:3] == ["opened", "lost", "reconnected"]
    frames = [line["frame"] for line in lines if "frame" in line]
    assert frames == sorted(set(frames)), "frame numbers keep increasing across the loss"
    assert len(frames_after(lines, "opened")) > len(frames_after(lines, "lost")) >= 10, "frames before and after"
    summary = lines[-1]["summary"]
    assert summary["source_losses"] >= 1 and summary["source_reconnects"] >= 1
    assert summary["interrupted"] is True
    assert summary["frames_analysed"] == len(frames)


def test_headless_run_reports_the_loss_and_carries_on(mjpeg_server: MjpegServer) -> None:
    proc = start("run", "--headless", "--no-models", "--source", mjpeg_server.url)
    assert proc.stderr is not None
    err = Lines(proc.stderr)
    try:
        err.wait_for("livecheck: opened: stream", 20)
        time.sleep(0.3)
        mjpeg_server.stop()
        lost = err.wait_for("livecheck: lost: ", 5)
        time.sleep(0.5)
        mjpeg_server.start()
        err.wait_for("livecheck: reconnected: ", 5)
        time.sleep(0.5)
        assert proc.poll() is None, "the headless view carries on"
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        err.wait_for("frames analysed", 5)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert mjpeg_server.url in lost and "reconnecting" in lost
    assert not any("Traceback" in line for line in err.seen)


# --- a clip with undecodable frames --------------------------------------------------------------

def test_replay_skips_and_countscorrupt_frames(tmp_path: Path) -> None:
    clip = write_video(tmp_path / "broken.avi", 40, fps=20.0)
    corrupt_frames(clip, range(15, 18))
    out = tmp_path / "r.jsonl"
    proc = subprocess.run([sys.executable, "-m", "livecheck", "replay", str(clip), "--no-pace", "--no-models",
                           "--jsonl", str(out)], check=False, capture_output=True, text=True, timeout=60, env=ENV)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "livecheck: warning: broken.avi: frames 15-17 could not be decoded, skipped" in proc.stderr.splitlines()
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    summary = lines[-1]["summary"]
    assert summary["frames_corrupt_skipped"] == 3
    assert summary["frames_analysed"] == summary["frames_captured"] == 37
    assert summary["frames_dropped"] == 0
    body = lines[:-1]
    assert [line.get("event") for line in body if "event" in line] == ["opened", "warning", "ended"]
    frames = [line for line in body if "frame" in line]
    assert [f["frame"] for f in frames] == list(range(37))
    assert frames[15]["t"] == pytest.approx(18 / 20.0), "clip time jumps over the skipped frames"
    warning_at = next(i for i, line in enumerate(body) if line.get("event") == "warning")
    assert body[warning_at - 1]["frame"] == 14 and body[warning_at + 1]["frame"] == 15


def test_replay_of_a_folder_with_no_readable_image_exits_1_after_its_summary(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "junk"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    (folder / "b.png").write_bytes(b"")
    out = tmp_path / "r.jsonl"
    rc = main(["replay", str(folder), "--no-pace", "--no-models", "--jsonl", str(out)])
    err = capfd.readouterr().err
    assert rc == 1
    assert f"livecheck: error: no readable frame in {folder}" in err.splitlines()
    assert "Traceback" not in err
    summary = json.loads(out.read_text().splitlines()[-1])["summary"]
    assert summary["frames_analysed"] == 0 and summary["frames_corrupt_skipped"] == 2


@pytest.mark.parametrize("command", [["replay"], ["run", "--headless", "--source"]])
def test_a_camera_gone_for_good_ends_the_command_with_code_1(
        mjpeg_server: MjpegServer, command: list[str], monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    """The capture gives up after RetryPolicy.max_wait (30 s by default; 0.3 s here)."""
    def impatient(*args: object, **kwargs: object) -> capture.Capture:
        return capture.open_capture(*args, **{**kwargs, "retry": capture.RetryPolicy(max_wait=0.3)})

    monkeypatch.setattr(session, "open_capture", impatient)
    threading.Timer(1.0, mjpeg_server.stop).start()
    started = time.monotonic()
    rc = main([*command, mjpeg_server.url, "--no-models"])
    assert time.monotonic() - started < 10
    err = capfd.readouterr().err
    assert rc == 1
    assert f"livecheck: error: gave up on stream {mjpeg_server.url}" in err
    assert "Traceback" not in err


def test_interrupting_a_replay_while_it_reconnects(mjpeg_server: MjpegServer, tmp_path: Path) -> None:
    out = tmp_path / "live.jsonl"
    proc = start("replay", mjpeg_server.url, "--no-models", "--jsonl", str(out))
    try:
        wait_until(lambda: sum("frame" in line for line in complete_lines(out)) >= 5, 20, "first frames")
        mjpeg_server.stop()
        wait_until(lambda: any(line.get("event") == "lost" for line in complete_lines(out)), 5, "lost event")
        time.sleep(0.3)  # in the backoff between reconnect attempts
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.send_signal(signal.SIGINT)  # an impatient second Ctrl-C changes nothing
        _, err = proc.communicate(timeout=10)
        assert time.monotonic() - sent < 1.0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in err
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    summary = lines[-1]["summary"]
    assert summary["interrupted"] is True and summary["source_losses"] == 1
    assert summary["source_reconnects"] == 0


def test_events_are_put_back_among_the_frames_where_they_happened() -> None:
    written: list[str] = []
    order = FrameOrder(lambda item: written.append(
        item.message if isinstance(item, SourceEvent) else f"frame {item.seq}"))

    def frame(seq: int) -> FrameResult:
        return FrameResult(seq=seq, t_media=seq / 25, t_capture=0.0, t_done=0.0, metrics={},
                           frame_hints=frozenset(), hints=frozenset(), quality=50.0)

    def event(message: str) -> SourceEvent:
        return SourceEvent(SourceEventKind.WARNING, message, 0.0)

    order.event(0, event("opened"))
    order.frame(frame(0))
    order.event(3, event("skipped, before frame 3"))  # reported while frames 1-2 wait for analysis
    order.event(5, event("lost after frame 4"))
    order.frame(frame(1))
    order.frame(frame(2))
    order.frame(frame(4))  # frame 3 was dropped: the event before it still comes first
    order.event(7, event("ended"))  # frames 5 and 6 were never analysed
    assert written == ["opened", "frame 0", "frame 1", "frame 2", "skipped, before frame 3", "frame 4",
                       "lost after frame 4"]
    order.flush()
    assert written[-1] == "ended"
