"""Snapshots (space key) and auto-capture: a PNG plus a JSON sidecar with the metrics and hints.

Encoding a PNG is slow next to a frame interval, so files are written on one background thread;
``close()`` waits for it, which is what "files flushed on exit" means here.
"""
from __future__ import annotations

import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path

import cv2

from livecheck.result import FrameResult


class SnapshotReason(str, Enum):
    MANUAL = "manual"
    AUTO = "auto"


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_snapshot(result: FrameResult, directory: Path, reason: SnapshotReason) -> Path:
    """Write ``<stem>.png`` and ``<stem>.json``; returns the PNG path. Raises OSError/ValueError."""
    if result.image is None:
        raise ValueError("this result carries no image (pipeline not run with keep_images)")
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc)
    stem = f"livecheck-{now:%Y%m%d-%H%M%S}-{now.microsecond // 1000:03d}-f{result.seq}"
    ok, png = cv2.imencode(".png", result.image)
    if not ok:
        raise ValueError("PNG encoding failed")
    png_path = directory / f"{stem}.png"
    _write_atomically(png_path, png.tobytes())
    sidecar = {
        "image": png_path.name,
        "saved_at": now.isoformat(timespec="milliseconds"),
        "reason": reason.value,
        "width": int(result.image.shape[1]),
        "height": int(result.image.shape[0]),
        **result.to_json(),
    }
    _write_atomically(directory / f"{stem}.json", (json.dumps(sidecar, indent=2) + "\n").encode())
    return png_path


class SnapshotWriter:
    """Writes snapshots in order on one background thread."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="livecheck-snapshot")

    def save(self, result: FrameResult, reason: SnapshotReason) -> Future[Path]:
        return self._pool.submit(write_snapshot, result, self.directory, reason)

    def close(self) -> None:
        """Wait until every queued snapshot is on disk."""
        self._pool.shutdown(wait=True)


class AutoCapture:
    """Picks the best frame of a clear stretch once every hint has stayed clear for ``hold_s``.

    One snapshot per clear stretch: a hint appearing re-arms it.
    """

    def __init__(self, hold_s: float) -> None:
        self.hold_s = hold_s
        self._clear_since: float | None = None
        self._best: FrameResult | None = None
        self._armed = True

    def update(self, result: FrameResult) -> FrameResult | None:
        """Feed each shown result; returns the frame to save when the time has come, else None."""
        if result.hints or result.image is None:
            self._clear_since, self._best, self._armed = None, None, True
            return None
        if self._clear_since is None or self._best is None:
            self._clear_since, self._best = result.t_capture, result
        elif result.quality > self._best.quality:
            self._best = result
        if self._armed and result.t_capture - self._clear_since >= self.hold_s:
            self._armed = False
            return self._best
        return None
