"""All of livecheck's speed figures in one run (see the issues for the targets).

    python scripts/bench.py [--quick] [--json] [--only assess,models,brisque,replay]

Sections: `assess` (the per-frame fast checks vs a memory-read floor, bench_assess.py), `models`
(NIMA/DIQA latency incl. the resize, bench_models.py), `brisque` (ours vs OpenCV's,
bench_brisque.py), `replay` (720p60 through the live pipeline: drops and latency, bench_replay.py),
`capture` (pacing accuracy, decode rate, reconnect time, stop time, bench_capture.py).
Each section is also a script of its own. Timings on a shared 2-core machine are noisy: compare
the ratios measured within one run.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent))

SECTIONS = {
    "assess": "bench_assess",
    "models": "bench_models",
    "brisque": "bench_brisque",
    "replay": "bench_replay",
    "capture": "bench_capture",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    results: dict[str, object] = {}
    for name in filter(None, args.only.split(",")):
        if name not in SECTIONS:
            ap.error(f"unknown section {name!r} (known: {', '.join(SECTIONS)})")
        module = importlib.import_module(SECTIONS[name])
        results[name] = module.measure(quick=args.quick)
        if not args.json:
            print(f"== {name}")
            print(json.dumps(results[name], indent=2))
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
