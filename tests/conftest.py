"""Shared fixtures: generated media and the local MJPEG server stand in for real cameras."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.media import write_video

from livecheck.dev.mjpeg_server import MjpegServer


@pytest.fixture
def mjpeg_server() -> Iterator[MjpegServer]:
    """A running MJPEG-over-HTTP camera on 127.0.0.1 (ephemeral port), 30 fps; ``.url`` to open it."""
    server = MjpegServer(fps=30.0).start()
    yield server
    server.stop()


@pytest.fixture
def no_leftover_capture_threads() -> Iterator[None]:
    """Fails a test that leaves a ``livecheck-capture`` thread running after it ends."""
    yield
    alive = [t.name for t in threading.enumerate() if t.name == "livecheck-capture"]
    assert not alive, f"capture threads still running: {alive}"


@pytest.fixture
def make_clip(tmp_path: Path) -> Callable[..., Path]:
    """``make_clip(frames, fps=25, size=(160, 120))``: a clip written to a fresh file in tmp_path."""
    count = iter(range(1_000_000))

    def make(frames: int, fps: float = 25.0, size: tuple[int, int] = (160, 120)) -> Path:
        return write_video(tmp_path / f"clip{next(count)}.avi", frames, fps, size)

    return make
