"""`livecheck score`: photos in, one verdict each out (JSON lines with --json, else a table).

An unreadable file gets ``{"path", "error"}`` and a one-line message on stderr; the other files are
still scored, and the exit code is 1. A learned model that fails on one file gets
``{"error": ...}`` as its entry in that file's ``models`` (``{"unavailable": ...}`` means it never
loaded) and one line on stderr; the other models and files go on, and the exit code is 1 too.

A JPEG of at least twice the view size (--view-size, 1920 px) is decoded at 1/2, 1/4 or 1/8 of its
size, the largest that is still as large as the view ("decode_scale" in its record): every check
judges the picture at that viewing scale anyway, and decoding every pixel is most of what a big
photo costs. BRISQUE scores a copy shrunk to a long side of 768 px. --full-resolution decodes
every pixel and gives BRISQUE all of them (each model's entry says what it looked at, in
"input"). A batch is shared among --jobs worker processes (default: all cores); records still come out in
input order, each as soon as it and all before it are done. With --engine ray the batch goes to a
Ray cluster's workers instead (see livecheck.cli.ray_engine), with the same records.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from livecheck.cli.options import (
    Engine,
    add_analysis_options,
    add_engine_options,
    check_engine_options,
    config_from_args,
    warn,
)
from livecheck.cli.progress import Progress
from livecheck.cli.ray_engine import RayScorePool
from livecheck.cli.score_pool import ScorePool
from livecheck.cli.scorer import Scorer
from livecheck.cli.stopping import StopRequest
from livecheck.imageio import ImageReadError, iter_image_paths
from livecheck.models.brisque import BrisqueModel

ANALYSIS_SIDE = BrisqueModel.ANALYSIS_SIDE


def usable_cores() -> int:
    """The cores this process may run on (its affinity where the OS has one), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def job_count(text: str) -> int:
    """``--jobs``: a whole number of processes, at least 1."""
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of processes, at least 1, not {text!r}")
    return jobs


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="score photos -> JSON lines or a table",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files, folders (recursive) or globs")
    p.add_argument("--json", action="store_true", help="one JSON object per line on stdout")
    p.add_argument("--jobs", type=job_count, default=usable_cores(), metavar="N",
                   help="worker processes for a batch (default: all cores, here %(default)s); "
                        "1 scores in this process; with --engine ray, the CPUs of the local cluster")
    p.add_argument("--full-resolution", action="store_true",
                   help=f"decode every pixel of a large JPEG (not only as many as the view needs) and "
                        f"run BRISQUE on all of them instead of a copy shrunk to a long side of "
                        f"{ANALYSIS_SIDE} px (slower)")
    add_analysis_options(p)
    add_engine_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_engine_options(args)
    config = config_from_args(args, regions=True)
    entries = list(iter_image_paths(args.paths))
    jobs = min(args.jobs, sum(not isinstance(e, ImageReadError) for e in entries))
    failures = 0
    # Ctrl-C while the models load is a StopRequest too: a KeyboardInterrupt there left models
    # unclosed (or half made), and MediaPipe's __del__ then printed a traceback at exit
    with StopRequest() as stop:
        source: Scorer | ScorePool | RayScorePool
        if args.engine is Engine.RAY:
            load = partial(Scorer.load, config, full_resolution=args.full_resolution)
            source = RayScorePool(load, args.jobs, args.ray_address, stop, on_unavailable=_warn_unavailable)
        elif jobs > 1:
            # the parent loads no model: the workers do, once each
            source = ScorePool(jobs, config, stop, full_resolution=args.full_resolution,
                               on_unavailable=_warn_unavailable)
        else:
            source = Scorer.load(config, stop, full_resolution=args.full_resolution)
            _warn_unavailable(source.unavailable)
        try:
            table = None if args.json else Table(sys.stdout)
            progress = Progress(len(entries), sys.stderr)
            records = _score_all(source, entries, stop) if isinstance(source, Scorer) else source.score_all(entries)
            for record in records:
                progress.step()
                if "error" in record:
                    print(f"livecheck: {record['path']}: {record['error']}", file=sys.stderr, flush=True)
                failed_models = _report_model_errors(record)
                failures += "error" in record or failed_models
                if table is None:
                    sys.stdout.write(json.dumps(record, separators=(",", ":")) + "\n")
                    sys.stdout.flush()
                else:
                    table.add(record)
            progress.close()
            if table is not None:
                table.close()
            if stop.requested:
                return stop.exit_code
        finally:
            source.close()
    return 1 if failures else 0


def _warn_unavailable(unavailable: dict[str, str]) -> None:
    for name, why in unavailable.items():
        warn(f"model {name} unavailable, fast checks go on: {why}")


def _score_all(scorer: Scorer, entries: list[Path | ImageReadError], stop: StopRequest) -> Iterator[dict[str, Any]]:
    for entry in entries:
        if stop.requested:
            return
        yield scorer.score_entry(entry)


def _report_model_errors(record: dict[str, Any]) -> bool:
    """One stderr line per model that failed on this file; True if any did."""
    failed = [(name, entry["error"]) for name, entry in record.get("models", {}).items() if "error" in entry]
    for name, why in failed:
        print(f"livecheck: {record['path']}: model {name} failed: {why}", file=sys.stderr, flush=True)
    return bool(failed)


class Table:
    """A readable table on a terminal: one row per photo, printed as soon as it is scored."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._out.write(f"{'quality':>7}  {'size':>11}  {'hints':<34} path\n")

    def add(self, record: dict[str, Any]) -> None:
        if "error" in record:
            self._out.write(f"{'-':>7}  {'':>11}  {'ERROR: ' + record['error']:<34} {record['path']}\n")
        else:
            size = f"{record['width']}x{record['height']}"
            hints = ", ".join(record["hints"]) or "ok"
            self._out.write(f"{record['quality']:>7.1f}  {size:>11}  {hints:<34} {record['path']}\n")
        self._out.flush()

    def close(self) -> None:
        self._out.flush()
