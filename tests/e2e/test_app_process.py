"""The app as a user starts it (`python -m livecheck run`), in a subprocess, offscreen."""
from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time

import pytest

from livecheck.app.session import demo_clip_path

FIRST_FRAME = re.compile(r"first frame on screen (\d+\.\d+) s after start")
STALL = re.compile(r"max event-loop stall (\d+) ms \((\d+) ms not waiting for a CPU\)"
                   r"; while starting up \(models loading\) (\d+) ms \((\d+) ms\)")


def _read_until(proc: subprocess.Popen, pattern: re.Pattern, timeout: float) -> tuple[re.Match | None, str]:
    """Read the child's stderr line by line until ``pattern`` matches (or timeout / EOF)."""
    seen = ""
    sel = selectors.DefaultSelector()
    sel.register(proc.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not sel.select(timeout=deadline - time.monotonic()):
            break
        line = proc.stderr.readline()
        if not line:
            break
        seen += line
        if match := pattern.search(line):
            return match, seen
    return None, seen


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_quits_cleanly_within_a_second(signum, tmp_path):
    demo = demo_clip_path()
    if not demo.is_file():
        pytest.skip(f"demo clip missing: {demo}")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "livecheck", "run", "--source", str(demo), "--snapshot-dir", str(tmp_path)],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )
    try:
        match, seen = _read_until(proc, FIRST_FRAME, timeout=30)
        assert match, f"no first frame reported:\n{seen}"
        first_frame_s = float(match.group(1))
        assert first_frame_s < 5.0  # loosely: about 0.5 s on an idle 2-core machine, 1.5 s is the goal
        time.sleep(1.0)  # let it play
        t0 = time.monotonic()
        proc.send_signal(signum)
        proc.wait(timeout=10)
        quit_s = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    rest = proc.stderr.read()
    assert proc.returncode == 128 + signum
    assert "Traceback" not in seen + rest
    assert "frames analysed" in rest  # the exit summary: pipeline stopped and joined
    print(f"first frame {first_frame_s:.2f} s after start; quit {quit_s:.2f} s after signal {signum}")
    assert quit_s < 1.0, f"took {quit_s:.2f} s to quit"


@pytest.mark.slow
def test_event_loop_never_stalls_while_the_demo_plays(tmp_path):
    """The real app process on the demo clip, every model and the HUD on, for 7 s.

    The app's stall meter (a 10 ms precise timer in the GUI thread) reports the longest gaps at
    exit: while starting up (first frame until the models have answered, when MediaPipe creates
    its graphs with the GIL held) and after. After start-up the app's own share (work in the
    loop, waiting for the GIL) must stay under 50 ms; time the GUI thread waited for a CPU that
    another process had is only bounded loosely: on a shared 2-core machine no design removes it.
    """
    demo = demo_clip_path()
    if not demo.is_file():
        pytest.skip(f"demo clip missing: {demo}")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-m", "livecheck", "run", "--source", str(demo), "--hud",
         "--screenshot", str(tmp_path / "shot.png"), "--after", "7"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    match = STALL.search(proc.stderr)
    assert match, proc.stderr
    stall_ms, own_ms, start_ms, start_own_ms = (int(g) for g in match.groups())
    print(f"max event-loop stall {stall_ms} ms ({own_ms} ms own); "
          f"while starting up {start_ms} ms ({start_own_ms} ms own)")
    assert own_ms < 50
    assert stall_ms < 250
