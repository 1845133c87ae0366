"""Replay benchmark: a 1280x720 clip paced at 60 fps through the live pipeline on this machine.

Reports frames dropped by the fast path and capture-to-hint latency (p50/p99), with the learned
models off and on. Targets (issues 2 and 4): 0 dropped, p99 <= 16 ms, in both cases.

    python scripts/bench_replay.py [--seconds 10] [--json]
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import cv2

from livecheck.cli.options import demo_clip
from livecheck.models import ModelName
from livecheck.pipeline import PipelineConfig
from livecheck.session import Session, SessionOptions

SIZE = (1280, 720)
FPS = 60.0


def make_clip(path: Path, seconds: float) -> Path:
    """Upscale the demo clip's frames to 1280x720 (so the clip has real content and defects)."""
    src = cv2.VideoCapture(str(demo_clip()))
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, SIZE)
    for _ in range(int(seconds * FPS)):
        ok, frame = src.read()
        if not ok:
            src.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = src.read()
        out.write(cv2.resize(frame, SIZE, interpolation=cv2.INTER_LINEAR))
    out.release()
    src.release()
    return path


def replay(clip: Path, models: tuple[ModelName, ...]) -> dict[str, object]:
    with Session(SessionOptions(clip, PipelineConfig(models=models), fps=FPS, wait_for_models=True)) as session:
        for _ in session:
            pass
    assert session.stats is not None
    stats = session.stats.to_json()
    stats["unavailable_models"] = session.unavailable_models
    return stats


def measure(quick: bool = False, seconds: float | None = None) -> dict[str, object]:
    seconds = seconds or (4.0 if quick else 10.0)
    with tempfile.TemporaryDirectory() as tmp:
        clip = make_clip(Path(tmp) / "bench_720p60.avi", seconds)
        return {
            "clip": f"{SIZE[0]}x{SIZE[1]} @ {FPS:g} fps, {seconds:g} s",
            "fast_checks_only": replay(clip, ()),
            "with_models": replay(clip, tuple(ModelName)),
        }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = measure(seconds=args.seconds)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"replay of {result['clip']}")
    for mode in ("fast_checks_only", "with_models"):
        s = result[mode]
        print(f"  {mode:<17} captured {s['frames_captured']:>5}  analysed {s['frames_analysed']:>5}  "
              f"dropped {s['frames_dropped']:>3}  p50 {s['latency_p50_ms']:>6.2f} ms  "
              f"p99 {s['latency_p99_ms']:>6.2f} ms  "
              f"model runs {s['model_runs']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
