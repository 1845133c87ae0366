"""Soak test: replay a 1280x720 clip at 60 fps, looping, with the models on, for a set time.

Every --interval seconds prints RSS, thread counts (Python and OS) and the frame counters, then a
verdict against the targets of issue 6: over the run, RSS grows < 5% after the first minute, the
thread count stays constant, and the fast path drops 0 frames.

    python scripts/soak.py --minutes 10 [--interval 30] [--no-models] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from bench_replay import FPS, make_clip

from livecheck.capture import Read, ReadStatus, Source, VideoSource
from livecheck.models import ModelName
from livecheck.pipeline import PipelineConfig
from livecheck.session import Session, SessionOptions


class Looping(Source):
    """Plays a clip again and again, with a media clock that keeps counting up across loops."""

    live = False

    def __init__(self, inner: VideoSource) -> None:
        self._inner = inner
        self._offset = 0
        self._last = 0

    @property
    def description(self) -> str:
        return f"{self._inner.description}, looping"

    @property
    def nominal_fps(self) -> float | None:
        return self._inner.nominal_fps

    @property
    def media_fps(self) -> float | None:
        return self._inner.media_fps

    def open(self) -> None:
        self._inner.open()

    def read(self) -> Read:
        read = self._inner.read()
        if read.status is ReadStatus.END:
            self._offset = self._last + 1
            self._inner.close()
            self._inner.open()
            read = self._inner.read()
        if read.index is not None:
            self._last = self._offset + read.index
            return Read(read.status, read.image, self._last, read.skipped, read.warnings, read.message)
        return read

    def close(self) -> None:
        self._inner.close()


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def os_threads() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Threads:"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--interval", type=float, default=30.0, help="seconds between samples")
    ap.add_argument("--no-models", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the samples and verdict as one JSON object")
    args = ap.parse_args(argv)

    models = () if args.no_models else tuple(ModelName)
    samples: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        clip = make_clip(Path(tmp) / "soak_720p60.avi", seconds=10.0)
        session = Session(SessionOptions(Looping(VideoSource(clip)), PipelineConfig(models=models), fps=FPS,
                                         wait_for_models=True))
        start = time.monotonic()
        session.start()
        try:
            next_sample = start + args.interval
            while (now := time.monotonic()) - start < args.minutes * 60:
                session.next(timeout=0.1)  # the results themselves are not needed, only the counts
                if now < next_sample:
                    continue
                next_sample += args.interval
                s = session.stats
                assert s is not None
                sample = {"t_s": round(time.monotonic() - start, 1), "rss_mb": round(rss_mb(), 1),
                          "py_threads": threading.active_count(), "os_threads": os_threads(),
                          "captured": s.captured, "analysed": s.analysed, "dropped": s.dropped,
                          "p99_ms": round(s.latency_p99_ms, 2), "model_runs": sum(s.model_runs.values())}
                samples.append(sample)
                if not args.json:
                    print("  ".join(f"{k} {v}" for k, v in sample.items()), flush=True)
        finally:
            session.stop()

    after_first_minute = [s for s in samples if s["t_s"] >= 60] or samples
    base = after_first_minute[0]["rss_mb"]
    verdict = {
        "minutes": args.minutes,
        "models": [m.value for m in models],
        "unavailable_models": session.unavailable_models,
        "rss_growth_after_first_minute_pct": round(100 * (samples[-1]["rss_mb"] - base) / base, 2),
        "py_threads_constant": len({s["py_threads"] for s in samples}) == 1,
        "os_threads_constant": len({s["os_threads"] for s in after_first_minute}) == 1,
        "dropped": samples[-1]["dropped"],
    }
    if args.json:
        print(json.dumps({"samples": samples, "verdict": verdict}))
    else:
        print(json.dumps(verdict))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
