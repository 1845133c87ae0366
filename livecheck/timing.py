"""Per-stage durations of the live path, kept so that a late frame can be traced to the stage that
made it late (the HUD, ``--stats-json`` and the bench read them).

A single capture-to-hint figure says that frames are late, not why; the stages split it into
waiting (in the ring buffer, for a CPU, for the GIL) and working (the checks, the hint engine),
and the app adds its own (hand-over to the GUI thread, scaling, painting). Each stage keeps a
bounded window of recent samples, so an all-day run neither grows nor reports a stale morning.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

_SCHEDSTAT = Path("/proc/thread-self/schedstat")


def run_queue_wait_s() -> float | None:
    """Seconds the calling thread has spent runnable but waiting for a CPU (Linux), else None.

    That is time the OS gave to other threads or processes: on a busy machine it shows up as
    latency that no change to this program's own work could remove, so the figures keep it apart.
    """
    try:
        return int(_SCHEDSTAT.read_text().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None

class RunQueueClock:
    """``run_queue_wait_s`` for the thread that made it, from a file kept open: the worker reads it
    twice a frame, and opening a /proc file costs many times more than reading an open one."""

    def __init__(self, path: Path | None = _SCHEDSTAT) -> None:
        """``path=None``: a clock that always reads None (nothing opened)."""
        self._fd: int | None = None
        if path is not None:
            try:
                self._fd = os.open(path, os.O_RDONLY)
            except OSError:
                pass

    def seconds(self) -> float | None:
        if self._fd is None:
            return None
        try:
            return int(os.pread(self._fd, 96, 0).split()[1]) / 1e9
        except (OSError, ValueError, IndexError):
            return None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


WINDOW = 65536
"""Samples kept per stage (about 18 minutes of frames at 60 fps)."""


class _Ring:
    """The newest ``size`` samples in a preallocated array: adding never allocates, and a snapshot
    is one copy (not a Python-level walk over a deque, which would hold the GIL for milliseconds)."""

    __slots__ = ("data", "count")

    def __init__(self, size: int) -> None:
        self.data = np.empty(size, np.float64)
        self.count = 0

    def add(self, value: float) -> None:
        self.data[self.count % self.data.size] = value
        self.count += 1

    def newest(self, last: int | None) -> np.ndarray:
        n = min(self.count, self.data.size)
        if last is not None:
            n = min(n, last)
        end = self.count % self.data.size
        if n <= end:
            return self.data[end - n:end].copy()
        return np.concatenate((self.data[self.data.size - (n - end):], self.data[:end]))


class StageTimes:
    """Durations in milliseconds by stage name; thread-safe (stages are written from several threads)."""

    def __init__(self, window: int = WINDOW) -> None:
        self._window = window
        self._rings: dict[str, _Ring] = {}
        self._lock = threading.Lock()

    def _ring(self, stage: str) -> _Ring:
        ring = self._rings.get(stage)
        if ring is None:
            ring = self._rings[stage] = _Ring(self._window)
        return ring

    def add(self, stage: str, ms: float) -> None:
        with self._lock:
            self._ring(stage).add(ms)

    def add_many(self, stages: Iterable[tuple[str, float]]) -> None:
        """Several stages of one frame under one lock (the worker's hot path takes it once)."""
        with self._lock:
            for stage, ms in stages:
                self._ring(stage).add(ms)

    def count(self, stage: str) -> int:
        """Samples ever added to ``stage`` (not only those still in the window)."""
        with self._lock:
            ring = self._rings.get(stage)
            return ring.count if ring is not None else 0

    def samples(self, stage: str, last: int | None = None) -> np.ndarray:
        """A copy of the stage's newest samples (all in the window, or the ``last`` few)."""
        with self._lock:
            ring = self._rings.get(stage)
            return ring.newest(last) if ring is not None else np.empty(0)

    def percentiles(self, stage: str, qs: tuple[float, ...] = (50.0, 99.0),
                    last: int | None = None) -> tuple[float, ...]:
        """The stage's percentiles (ms) over its window (or its ``last`` samples); zeros when empty."""
        data = self.samples(stage, last)
        if not data.size:
            return tuple(0.0 for _ in qs)
        return tuple(float(v) for v in np.percentile(data, qs))

    def summary(self, last: int | None = None) -> dict[str, dict[str, float]]:
        """``{stage: {"p50": ms, "p99": ms, "max": ms, "n": count}}`` for every stage seen."""
        with self._lock:
            stages = {name: ring.newest(last) for name, ring in self._rings.items() if ring.count}
        out: dict[str, dict[str, float]] = {}
        for name, data in sorted(stages.items()):
            p50, p99 = np.percentile(data, [50.0, 99.0])
            out[name] = {"p50": round(float(p50), 2), "p99": round(float(p99), 2),
                         "max": round(float(data.max()), 2), "n": int(data.size)}
        return out
