"""livecheck's BRISQUE vs OpenCV contrib's ``cv2.quality.QualityBRISQUE``, same frames, same run.

    .venv/bin/python scripts/bench_brisque.py [--quick] [--json]

One thread on both sides (cv2.setNumThreads(1)). Frames: a pristine photo resized to 1280x720 and
1920x1080 with a little sensor-like noise (a synthetic texture when ../shared is absent). Paths:

* ``score``: one frame to a LIVE-model score. OpenCV: ``QualityBRISQUE.compute`` on a created
  object; livecheck: ``BrisqueModel.opencv_live().score`` (the same model files, the same score).
* ``features``: ``QualityBRISQUE_computeFeatures`` vs ``BrisqueModel.features``.
* ``live_640``: livecheck's fast live mode (``max_side=640``: the frame shrunk first). Not OpenCV's
  number any more; listed separately for the pipeline's budget.

Candidates run in alternating blocks (rounds x repeats). Other processes only ever add time, so
``ms`` is the best block median over the rounds (each side's unloaded speed, measured in the same
minutes), ``ms_median`` the median block (both sides saw the same load) and ``cpu_ms`` the median
per-call CPU time of the thread (time spent descheduled does not count). ``speedup*`` = OpenCV /
livecheck from each.
"""
from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from functools import partial

import cv2
import numpy as np

from livecheck.dev import distortions
from livecheck.models.base import ModelUnavailable
from livecheck.models.brisque import OPENCV_LIVE_MODEL, OPENCV_LIVE_RANGE, BrisqueModel

SIZES = ((1280, 720), (1920, 1080))
LIVE_SIDE = 640


def frame(width: int, height: int) -> np.ndarray:
    """A camera-like test frame: a pristine photo, resized, with mild noise."""
    photo = distortions.default_shared_root() / "data" / "pristine" / "Kodak24" / "kodim23.png"
    rng = np.random.default_rng(0)
    if photo.exists():
        base = cv2.resize(distortions.load_photo(photo), (width, height), interpolation=cv2.INTER_CUBIC)
    else:
        small = rng.normal(128, 45, (height // 16 + 1, width // 16 + 1, 3)).clip(0, 255).astype(np.uint8)
        base = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    noisy = base.astype(np.float32) + rng.normal(0.0, 2.0, base.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _block(fn: Callable[[], object], repeats: int) -> tuple[float, list[float]]:
    """(median wall ms, per-call thread CPU ms) of ``repeats`` calls."""
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.thread_time()
        fn()
        cpu.append(1e3 * (time.thread_time() - c))
        wall.append(1e3 * (time.perf_counter() - t))
    return float(np.median(wall)), cpu


def measure(quick: bool = False) -> dict:
    """Milliseconds per frame for each path and size, and OpenCV / livecheck speed-ups."""
    cv2.setNumThreads(1)
    if not (hasattr(cv2, "quality") and OPENCV_LIVE_MODEL.exists() and OPENCV_LIVE_RANGE.exists()):
        return {"skipped": f"needs cv2.quality and {OPENCV_LIVE_MODEL} (Debian package opencv-data)"}
    rounds, repeats = (2, 3) if quick else (12, 5)
    reference = cv2.quality.QualityBRISQUE_create(str(OPENCV_LIVE_MODEL), str(OPENCV_LIVE_RANGE))
    ours = BrisqueModel.opencv_live()
    live = BrisqueModel.from_files(OPENCV_LIVE_MODEL, OPENCV_LIVE_RANGE, max_side=LIVE_SIDE)
    try:
        own_model: BrisqueModel | None = BrisqueModel()
    except ModelUnavailable:
        own_model = None
    result: dict = {"threads": 1, "rounds": rounds, "repeats": repeats, "sizes": {}}
    for width, height in SIZES:
        img = frame(width, height)
        candidates: dict[str, Callable[[], object]] = {
            "opencv_score": partial(reference.compute, img),
            "livecheck_score": partial(ours.score, img),
            "opencv_features": partial(cv2.quality.QualityBRISQUE_computeFeatures, img),
            "livecheck_features": partial(ours.features, img),
            "livecheck_live_640_score": partial(live.score, img),
        }
        for fn in candidates.values():
            fn()  # warm up: buffers, caches
        blocks: dict[str, list[float]] = {name: [] for name in candidates}
        cpu: dict[str, list[float]] = {name: [] for name in candidates}
        for _ in range(rounds):
            for name, fn in candidates.items():
                wall, cpu_ms = _block(fn, repeats)
                blocks[name].append(wall)
                cpu[name] += cpu_ms
        ms = {name: round(float(np.min(v)), 2) for name, v in blocks.items()}
        ms_median = {name: round(float(np.median(v)), 2) for name, v in blocks.items()}
        cpu_ms = {name: round(float(np.median(v)), 2) for name, v in cpu.items()}
        score_ref = float(reference.compute(img)[0])
        score_ours = ours.score(img)["score"]
        entry = {
            "ms": ms,
            "ms_median": ms_median,
            "cpu_ms": cpu_ms,
            "speedup_score": round(ms["opencv_score"] / ms["livecheck_score"], 2),
            "speedup_features": round(ms["opencv_features"] / ms["livecheck_features"], 2),
            "speedup_score_median": round(ms_median["opencv_score"] / ms_median["livecheck_score"], 2),
            "speedup_score_cpu": round(cpu_ms["opencv_score"] / cpu_ms["livecheck_score"], 2),
            "live_score_opencv": round(score_ref, 3),
            "live_score_livecheck": round(score_ours, 3),
            "live_score_livecheck_640": round(live.score(img)["score"], 3),
        }
        if own_model is not None:
            entry["own_model_score"] = round(own_model.score(img)["score"], 3)
        result["sizes"][f"{width}x{height}"] = entry
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    result = measure(quick=args.quick)
    if args.json or "skipped" in result:
        print(json.dumps(result, indent=None if args.json else 2))
        return 0
    for size, entry in result["sizes"].items():
        ms = entry["ms"]
        print(f"{size}: score {ms['opencv_score']:.1f} ms (OpenCV) vs {ms['livecheck_score']:.1f} ms "
              f"(livecheck) = {entry['speedup_score']:.1f}x; features {ms['opencv_features']:.1f} vs "
              f"{ms['livecheck_features']:.1f} ms = {entry['speedup_features']:.1f}x "
              f"(score, median blocks: {entry['speedup_score_median']:.1f}x, thread CPU time: "
              f"{entry['speedup_score_cpu']:.1f}x); live mode "
              f"(<= {LIVE_SIDE} px) {ms['livecheck_live_640_score']:.1f} ms; LIVE score "
              f"{entry['live_score_opencv']:.3f} vs {entry['live_score_livecheck']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
