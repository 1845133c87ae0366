"""`livecheck score`: photos in, one verdict each out (JSON lines with --json, else a table).

An unreadable file gets ``{"path", "error"}`` and a one-line message on stderr; the other files are
still scored, and the exit code is 1. A learned model that fails on one file gets
``{"error": ...}`` as its entry in that file's ``models`` (``{"unavailable": ...}`` means it never
loaded) and one line on stderr; the other models and files go on, and the exit code is 1 too.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from livecheck.cli.options import add_analysis_options, config_from_args, warn
from livecheck.cli.progress import Progress
from livecheck.cli.stopping import StopRequest
from livecheck.fastchecks import assess
from livecheck.imageio import ImageReadError, iter_image_paths, read_image
from livecheck.models import ModelName, ModelUnavailable, QualityModel, load_model, run_model
from livecheck.pipeline import PipelineConfig
from livecheck.quality import overall_quality
from livecheck.thresholds import Thresholds
from livecheck.view import VIEW_SIZE


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="score photos -> JSON lines or a table",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files, folders (recursive) or globs")
    p.add_argument("--json", action="store_true", help="one JSON object per line on stdout")
    add_analysis_options(p)
    p.set_defaults(func=run)


@dataclass
class Scorer:
    """The fast checks plus whichever learned models could be loaded, for still images."""

    thresholds: Thresholds
    models: dict[ModelName, QualityModel]
    unavailable: dict[str, str]
    view_size: int = VIEW_SIZE

    @classmethod
    def load(cls, config: PipelineConfig, stop: StopRequest | None = None) -> Scorer:
        """Load the models one by one; a stop requested meanwhile skips the ones not yet begun."""
        models: dict[ModelName, QualityModel] = {}
        unavailable: dict[str, str] = {}
        for name in config.models:
            if stop is not None and stop.requested:
                break
            try:
                models[name] = load_model(name, config.weights_dir)
            except ModelUnavailable as exc:
                unavailable[name.value] = str(exc)
        return cls(config.thresholds, models, unavailable, config.view_size)

    def score(self, path: Path, image: np.ndarray) -> dict[str, Any]:
        assessment = assess(image, self.thresholds, self.view_size)
        metrics = assessment.metrics.as_dict()
        outputs = {name.value: run_model(model, image) for name, model in self.models.items()}
        model_values = {n: out.values for n, out in outputs.items() if out.error is None}
        models_json: dict[str, Any] = {
            n: {"error": out.error} if out.error is not None else {k: round(v, 4) for k, v in out.values.items()}
            for n, out in outputs.items()}
        models_json.update({n: {"unavailable": why} for n, why in self.unavailable.items()})
        return {
            "path": str(path),
            "width": int(image.shape[1]),
            "height": int(image.shape[0]),
            "hints": sorted(h.value for h in assessment.hints),
            "quality": round(overall_quality(metrics, assessment.hints, model_values), 1),
            "metrics": {k: round(v, 4) for k, v in metrics.items()},
            "models": models_json,
        }

    def close(self) -> None:
        for model in self.models.values():
            model.close()


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    failures = 0
    # Ctrl-C while the models load is a StopRequest too: a KeyboardInterrupt there left models
    # unclosed (or half made), and MediaPipe's __del__ then printed a traceback at exit
    with StopRequest() as stop:
        scorer = Scorer.load(config, stop)
        try:
            for name, why in scorer.unavailable.items():
                warn(f"model {name} unavailable, fast checks go on: {why}")
            table = None if args.json else Table(sys.stdout)
            entries = list(iter_image_paths(args.paths))
            progress = Progress(len(entries), sys.stderr)
            for record in _score_all(scorer, entries, stop, progress):
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
            scorer.close()
    return 1 if failures else 0


def _score_all(scorer: Scorer, entries: list, stop: StopRequest, progress: Progress) -> Iterator[dict[str, Any]]:
    for entry in entries:
        if stop.requested:
            return
        progress.step()
        if isinstance(entry, ImageReadError):
            yield _error_record(entry.path, entry)
            continue
        try:
            image = read_image(entry)
        except ImageReadError as exc:
            yield _error_record(entry, exc)
            continue
        yield scorer.score(entry, image)


def _report_model_errors(record: dict[str, Any]) -> bool:
    """One stderr line per model that failed on this file; True if any did."""
    failed = [(name, entry["error"]) for name, entry in record.get("models", {}).items() if "error" in entry]
    for name, why in failed:
        print(f"livecheck: {record['path']}: model {name} failed: {why}", file=sys.stderr, flush=True)
    return bool(failed)


def _error_record(path: Path | str, exc: Exception) -> dict[str, Any]:
    print(f"livecheck: {path}: {exc}", file=sys.stderr, flush=True)
    return {"path": str(path), "error": str(exc)}


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
