"""How long `livecheck.assess` takes per frame, next to the cost of merely reading the frame.

    python scripts/bench_assess.py [--quick] [--json]

One thread (cv2.setNumThreads(1)). For each size, a real photo (pristine/Kodak24 from ../shared,
or a drawn scene when ../shared is absent) is resized to the frame size and given mild sensor noise,
then timed: median ms of `assess`, median ms of one `cv2.sumElems` over the same frame (the
memory-read floor: no per-frame check can be cheaper than reading the frame once), and their ratio.
For scale, also the "naive composition" of ../shared/FIELD_NOTES.md (grey conversion, a /2
INTER_AREA downscale with a Laplacian variance, meanStdDev and a 256-bin histogram of the full
grey frame: the textbook checks, with no noise estimate at all), timed in the same run.
Timings on a busy machine drift: compare the ratios, measured in the same run.
`measure(quick) -> dict` is what scripts/bench.py calls.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Callable

import cv2
import numpy as np

from livecheck import assess
from livecheck.dev import shared_root
from livecheck.motion import MotionTracker
from livecheck.regions import Grid, regions
from livecheck.thresholds import Thresholds

SIZES = ((640, 480), (1280, 720), (1920, 1080), (3840, 2160), (4000, 3000))


def _source_photo() -> np.ndarray:
    photo = cv2.imread(str(shared_root() / "data" / "pristine" / "Kodak24" / "kodim23.png"), cv2.IMREAD_COLOR)
    if photo is not None:
        return photo
    scene = np.full((512, 768, 3), 90, np.uint8)  # no shared data: a drawn scene
    cv2.rectangle(scene, (80, 60), (400, 300), (30, 160, 220), -1)
    cv2.circle(scene, (560, 300), 140, (200, 60, 40), -1)
    cv2.putText(scene, "livecheck", (60, 460), cv2.FONT_HERSHEY_SIMPLEX, 3, (250, 250, 250), 6)
    return scene


def _frame(width: int, height: int) -> np.ndarray:
    frame = cv2.resize(_source_photo(), (width, height), interpolation=cv2.INTER_CUBIC)
    noise = np.random.default_rng(0).normal(0.0, 2.0, frame.shape)
    return np.clip(frame + noise, 0, 255).astype(np.uint8)


def naive_composition(frame: np.ndarray) -> None:
    """The textbook per-frame checks, as FIELD_NOTES timed them (for scale only)."""
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    half = cv2.resize(grey, (grey.shape[1] // 2, grey.shape[0] // 2), interpolation=cv2.INTER_AREA)
    cv2.meanStdDev(cv2.Laplacian(half, cv2.CV_32F))
    cv2.meanStdDev(grey)
    cv2.calcHist([grey], [0], None, [256], [0, 256])


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1000.0)


def _motion_reading(frame: np.ndarray) -> Callable[[], float]:
    """One more frame of a stream through a motion tracker (each call a new sequence number)."""
    tracker, seq = MotionTracker(), itertools.count()
    return lambda: tracker.update(frame, next(seq))


def measure(quick: bool = False) -> dict:
    """{"sizes": [{"size", "assess_ms", "regions_ms", "motion_ms", "sum_elems_ms", "ratio", "naive_ms"}],
    "threads": 1}

    ``regions_ms``: the 4x4 grid of regions (livecheck.regions) on top of ``assess``; ``motion_ms``:
    the live worker's motion reading (livecheck.motion, ``hold_still``), also on top of it."""
    cv2.setNumThreads(1)
    repeats = 30 if quick else 200
    rows = []
    for width, height in SIZES:
        frame = _frame(width, height)
        assess_ms = _median_ms(lambda frame=frame: assess(frame), repeats)
        floor_ms = _median_ms(lambda frame=frame: cv2.sumElems(frame), repeats)
        naive_ms = _median_ms(lambda frame=frame: naive_composition(frame), repeats)
        regions_ms = _median_ms(lambda frame=frame: regions(frame, Thresholds(), Grid()), max(5, repeats // 10))
        motion_ms = _median_ms(_motion_reading(frame), repeats)
        rows.append({"size": f"{width}x{height}", "assess_ms": round(assess_ms, 3),
                     "regions_ms": round(regions_ms, 3), "motion_ms": round(motion_ms, 3),
                     "sum_elems_ms": round(floor_ms, 3), "ratio": round(assess_ms / floor_ms, 1),
                     "naive_ms": round(naive_ms, 3)})
    return {"threads": 1, "repeats": repeats, "sizes": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = measure(args.quick)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"livecheck.assess, one thread, median of {result['repeats']} runs")
    print(f"{'size':>10} {'assess ms':>10} {'sumElems ms':>12} {'ratio':>6} {'naive ms':>9} {'regions ms':>11} "
          f"{'motion ms':>10}")
    for row in result["sizes"]:
        print(f"{row['size']:>10} {row['assess_ms']:>10.3f} {row['sum_elems_ms']:>12.3f} "
              f"{row['ratio']:>6.1f} {row['naive_ms']:>9.3f} {row['regions_ms']:>11.3f} {row['motion_ms']:>10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
