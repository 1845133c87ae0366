"""Shared fixtures: generated media and the local MJPEG server stand in for real cameras."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

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


def write_test_clip(path: Path, frames: int, fps: float = 25.0, size: tuple[int, int] = (160, 120),
                    seed: int = 0) -> Path:
    """A short MJPEG .avi of textured frames (every OpenCV build can write and read it back)."""
    rng = np.random.default_rng(seed)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    for _ in range(frames):
        writer.write(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    writer.release()
    return path


@pytest.fixture
def make_clip(tmp_path: Path) -> Callable[..., Path]:
    """``make_clip(frames, fps=25, size=(160, 120))``: a clip written to a fresh file in tmp_path."""
    count = iter(range(1_000_000))

    def make(frames: int, fps: float = 25.0, size: tuple[int, int] = (160, 120)) -> Path:
        return write_test_clip(tmp_path / f"clip{next(count)}.avi", frames, fps, size)

    return make
