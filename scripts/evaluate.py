"""All of livecheck's accuracy figures in one run, on ../shared/data (see the issues for the targets).

    python scripts/evaluate.py [--quick] [--json] [--only hints,iqa]

Sections: `hints` (recall per hint on real defective photos, false-hint rate on clean ones,
eval_hints.py), `iqa` (SROCC of NIMA, DIQA, BRISQUE and OpenCV's LIVE BRISQUE against
distortion level on the held-out photos, eval_iqa.py) and `brisque_real` (our BRISQUE vs the
LIVE model on real defective photos, eval_brisque.py).
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

SECTIONS = {"hints": "eval_hints", "iqa": "eval_iqa", "brisque_real": "eval_brisque"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a subset (a smoke run)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    args = ap.parse_args(argv)
    results: dict[str, object] = {}
    for name in filter(None, args.only.split(",")):
        if name not in SECTIONS:
            ap.error(f"unknown section {name!r} (known: {', '.join(SECTIONS)})")
        module = importlib.import_module(SECTIONS[name])
        results[name] = module.evaluate(quick=args.quick)
        if not args.json:
            print(f"== {name}")
            print(json.dumps(results[name], indent=2))
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
