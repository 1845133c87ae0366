"""Per-call latency of the learned models on a 1920x1080 frame, resize included, one thread.

    .venv/bin/python scripts/bench_models.py [--quick] [--json]

Each model's ``score(frame)`` is timed as the live pipeline's model thread calls it: from a full
1080p BGR frame (the central-square view and INTER_AREA resize are part of the call). Reports the
median and the 90th percentile after a warm-up, and which runtime (MediaPipe / ai-edge-litert)
served the model.
"""
from __future__ import annotations

import argparse
import json
import time

import cv2
import numpy as np

from livecheck.models import ModelName, ModelUnavailable, load_model

FRAME_SHAPE = (1080, 1920, 3)
BUDGET_MS = {"nima": 10.0, "diqa": 15.0}


def _frame() -> np.ndarray:
    """A textured 1080p frame (smooth gradient + noise), so no model meets a trivial input."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:FRAME_SHAPE[0], 0:FRAME_SHAPE[1]].astype(np.float32)
    base = 110 + 50 * np.sin(xx / 40.0) * np.cos(yy / 55.0)
    img = base[:, :, None] + rng.normal(0, 10, FRAME_SHAPE).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def measure(quick: bool = False) -> dict:
    """{model: {"median_ms", "p90_ms", "calls", "backend", "budget_ms"}} or {"unavailable": reason}."""
    cv2.setNumThreads(1)
    frame = _frame()
    warmup, calls = (3, 15) if quick else (10, 100)
    out: dict[str, dict] = {}
    for name in ModelName:
        try:
            model = load_model(name)
        except ModelUnavailable as exc:
            out[str(name)] = {"unavailable": str(exc)}
            continue
        try:
            for _ in range(warmup):
                model.score(frame)
            times = []
            for _ in range(calls):
                t = time.perf_counter()
                model.score(frame)
                times.append(time.perf_counter() - t)
        finally:
            model.close()
        ms = np.array(times) * 1e3
        out[str(name)] = {
            "median_ms": float(np.median(ms)),
            "p90_ms": float(np.percentile(ms, 90)),
            "calls": calls,
            "backend": getattr(model, "backend", "n/a"),
            "budget_ms": BUDGET_MS.get(str(name)),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer calls")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    result = measure(quick=args.quick)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for name, r in result.items():
        if "unavailable" in r:
            print(f"{name:8s} unavailable: {r['unavailable']}")
        else:
            budget = f" (budget {r['budget_ms']:.0f} ms)" if r["budget_ms"] else ""
            print(f"{name:8s} median {r['median_ms']:6.2f} ms  p90 {r['p90_ms']:6.2f} ms  "
                  f"[{r['backend']}, 1080p frame, resize included]{budget}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
