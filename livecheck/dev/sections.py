"""What scripts/bench.py and scripts/evaluate.py share: run named sections, each a script module
with a function that takes ``quick`` and returns a JSON-able dict, and print the results."""
from __future__ import annotations

import argparse
import importlib
import json
from collections.abc import Callable, Mapping


def run_sections(doc: str, sections: Mapping[str, str], function: str, argv: list[str] | None = None,
                 setup: Callable[[], None] | None = None) -> int:
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a smaller, faster run (a smoke run)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--only", default=",".join(sections), help="comma-separated sections")
    args = ap.parse_args(argv)
    names = [n for n in args.only.split(",") if n]
    for name in names:
        if name not in sections:
            ap.error(f"unknown section {name!r} (known: {', '.join(sections)})")
    if setup is not None:
        setup()
    results: dict[str, object] = {}
    for name in names:
        results[name] = getattr(importlib.import_module(sections[name]), function)(quick=args.quick)
        if not args.json:
            print(f"== {name}")
            print(json.dumps(results[name], indent=2), flush=True)
    if args.json:
        print(json.dumps(results))
    return 0


def section_main(doc: str, measure: Callable[..., dict], argv: list[str] | None, quick_help: str) -> int:
    """The command line of one section run on its own (``python scripts/bench_score.py``): ``--quick``
    and ``--json``, then the section's result, indented unless ``--json``."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help=quick_help)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    result = measure(quick=args.quick)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0
