"""Shared fixtures: generated media and the local MJPEG server stand in for real cameras."""
from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from mjpeg_server import MjpegServer  # tests/ is on sys.path (pytest's default "prepend" import mode)


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
