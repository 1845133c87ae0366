"""The ``--stats-json`` object: one run's figures, with the same keys whether a window showed the
frames (``livecheck run``) or nothing did (``run --headless``, ``replay``), so that one script can
compare the live app with the headless path it is built on.

Figures that only a display has (frames shown, capture-to-screen latency, event-loop stalls, first
frame on screen) are ``null`` in a headless run rather than missing: a missing key would read as
a bug, a null as "not measured here".
"""
from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from livecheck.pipeline import PipelineStats
from livecheck.timing import StageTimes

STATS_KEYS = (
    "frames_captured", "frames_analysed", "frames_dropped", "frames_shown", "frames_display_skipped",
    "hint_latency_p50_ms", "hint_latency_p99_ms", "screen_latency_p50_ms", "screen_latency_p99_ms",
    "max_stall_ms", "max_own_stall_ms", "startup_max_stall_ms", "startup_max_own_stall_ms",
    "first_frame_s", "model_runs", "model_failures", "stages_ms", "load_avg_1min",
    "worker_niceness",
)
"""Every key of the object, in the order written (README, "Measuring the live path")."""


@dataclass(frozen=True, slots=True)
class DisplayFigures:
    """What the window measured; absent in a headless run."""

    shown: int
    """Distinct frames painted at least once."""
    skipped: int
    """Analysed frames replaced by a newer one before they were painted."""
    max_stall_ms: float
    max_own_stall_ms: float
    startup_max_stall_ms: float
    startup_max_own_stall_ms: float
    first_frame_s: float | None


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def run_stats(pipelines: Sequence[PipelineStats], timings: StageTimes,
              display: DisplayFigures | None = None) -> dict[str, object]:
    """The object for one run; ``pipelines``: the stats of each pipeline the run had (a looping
    clip starts a new one each time round), ``timings``: the stage samples they all wrote to."""
    runs: dict[str, int] = {}
    failures: dict[str, int] = {}
    for st in pipelines:
        for name, n in st.model_runs.items():
            runs[name] = runs.get(name, 0) + n
        for name, n in st.model_failures.items():
            failures[name] = failures.get(name, 0) + n
    hint_p50, hint_p99 = timings.percentiles("capture_to_hint")
    screen: tuple[float | None, ...] = (None, None)
    if display is not None:
        screen = timings.percentiles("capture_to_screen") if timings.count("capture_to_screen") else (None, None)
    out: dict[str, object] = {
        "frames_captured": sum(st.captured for st in pipelines),
        "frames_analysed": sum(st.analysed for st in pipelines),
        "frames_dropped": sum(st.dropped for st in pipelines),
        "frames_shown": display.shown if display else None,
        "frames_display_skipped": display.skipped if display else None,
        "hint_latency_p50_ms": round(hint_p50, 2),
        "hint_latency_p99_ms": round(hint_p99, 2),
        "screen_latency_p50_ms": _round(screen[0]),
        "screen_latency_p99_ms": _round(screen[1]),
        "max_stall_ms": _round(display.max_stall_ms, 1) if display else None,
        "max_own_stall_ms": _round(display.max_own_stall_ms, 1) if display else None,
        "startup_max_stall_ms": _round(display.startup_max_stall_ms, 1) if display else None,
        "startup_max_own_stall_ms": _round(display.startup_max_own_stall_ms, 1) if display else None,
        "first_frame_s": _round(display.first_frame_s, 3) if display else None,
        "model_runs": runs,
        "model_failures": failures,
        "stages_ms": timings.summary(),
        "load_avg_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "worker_niceness": pipelines[-1].worker_niceness if pipelines else None,
    }
    return out


def write_stats(path: Path, stats: dict[str, object]) -> None:
    """Write the object as one JSON line (raises OSError; callers report it in one line)."""
    Path(path).write_text(json.dumps(stats, separators=(",", ":")) + "\n", encoding="utf-8")
