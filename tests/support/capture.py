"""Reading a capture to its end, as the capture tests do."""
from __future__ import annotations

import time

from livecheck.capture import Capture
from livecheck.frame import Frame


def drain(cap: Capture, timeout: float = 10.0) -> list[Frame]:
    """Every frame ``cap`` delivers until it finishes (it must, within ``timeout`` seconds)."""
    frames: list[Frame] = []
    deadline = time.monotonic() + timeout
    while not cap.finished and time.monotonic() < deadline:
        frame = cap.get(timeout=0.1)
        if frame is not None:
            frames.append(frame)
    assert cap.finished, "capture did not finish in time"
    return frames
