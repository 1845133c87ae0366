"""Command-line options shared by `score`, `replay` and `run`, and what they turn into."""
from __future__ import annotations

import argparse
import enum
import math
import sys
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from livecheck.models import ModelName
from livecheck.pipeline import PipelineConfig
from livecheck.regions import Grid, parse_grid
from livecheck.runstats import run_stats, write_stats
from livecheck.session import Session
from livecheck.thresholds import Strictness, Thresholds, load_thresholds
from livecheck.view import VIEW_SIZE


def demo_clip() -> Path:
    """The bundled demo clip (assets/demo.mp4, shipped as livecheck.assets)."""
    return Path(str(resources.files("livecheck.assets") / "demo.mp4"))


def add_analysis_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("analysis")
    group.add_argument("--thresholds", type=Path, metavar="FILE",
                       help="TOML file with a [thresholds] table overriding the defaults")
    group.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                       help="override one threshold (repeatable), e.g. --set dark_on=40")
    group.add_argument("--disable", action="append", default=[], metavar="HINT",
                       help="never show these hints (repeatable or comma-separated), e.g. --disable noisy")
    group.add_argument("--enable", action="append", default=[], metavar="HINT",
                       help="raise these opt-in hints too (repeatable or comma-separated), e.g. --enable backlit")
    group.add_argument("--strictness", type=Strictness, choices=list(Strictness), default=Strictness.NORMAL,
                       help="how readily hints are raised: a preset over the thresholds, which --thresholds "
                            "and --set then change (default normal)")
    group.add_argument("--view-size", type=_view_size, default=VIEW_SIZE, metavar="PX",
                       help="judge blur and noise as a frame looks fitted to this long side when it is "
                            f"larger (default {VIEW_SIZE}, a full-HD screen; 0 = native pixels)")
    group.add_argument("--grid", type=_grid, default=Grid(), metavar="ROWSxCOLS",
                       help="the grid of regions judged on their own (default 4x4)")
    group.add_argument("--no-models", action="store_true",
                       help="fast checks only: do not load NIMA, DIQA or BRISQUE")
    group.add_argument("--models", type=_model_list, default=tuple(ModelName), metavar="LIST",
                       help="comma-separated learned models to run (default: nima,diqa,brisque)")
    group.add_argument("--weights-dir", type=Path, metavar="DIR",
                       help="read the model files from DIR instead of the ones shipped with livecheck")


class Engine(enum.Enum):
    """Where a batch runs: in this process and its workers, or on a Ray cluster."""

    LOCAL = "local"
    RAY = "ray"

    def __str__(self) -> str:
        return self.value


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("engine")
    group.add_argument("--engine", type=Engine, choices=list(Engine), default=Engine.LOCAL,
                       help="local (default), or ray: share the batch among a Ray cluster's workers "
                            "(needs the livecheck[cluster] extra); records still come in input order")
    group.add_argument("--ray-address", metavar="ADDRESS",
                       help="with --engine ray: join this cluster (host:6379 or ray://host:10001; default "
                            "$RAY_ADDRESS if set, else a local cluster started for the run)")


def check_engine_options(args: argparse.Namespace) -> None:
    """Raises ValueError (one line) for engine options that do not go together."""
    if args.ray_address and args.engine is not Engine.RAY:
        raise ValueError("--ray-address needs --engine ray")


def add_stats_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stats-json", type=Path, metavar="FILE",
                        help="on exit, write the run's figures (frames, latencies, stalls, model runs) "
                             "to FILE as one JSON object")


def write_run_stats(path: Path | None, session: Session) -> bool:
    """``--stats-json`` for a headless run (no display figures); False, with a one-line error,
    if the file cannot be written. Nothing to do (True) when no path was given."""
    if path is None:
        return True
    stats = session.stats
    try:
        write_stats(path, run_stats([stats] if stats is not None else [], session.timings))
    except OSError as exc:
        print(f"livecheck: error: cannot write --stats-json {path}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def number(text: str) -> float:
    """An option's text as a float, NaN when it is not a number (each option type then says what it
    wanted, in its own words)."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def frame_rate(text: str) -> float:
    """``--fps``: a positive, finite number (``float()`` alone would let nan and inf through)."""
    fps = number(text)
    if not (math.isfinite(fps) and fps > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of frames per second, not {text!r}")
    return fps


def _view_size(text: str) -> int:
    try:
        size = int(text)
    except ValueError:
        size = -1
    if size < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (native pixels) or a long side in pixels, not {text!r}")
    return size


def _grid(text: str) -> Grid:
    try:
        return parse_grid(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_regions_option(parser: argparse.ArgumentParser) -> None:
    """``--regions`` for the live path (`replay`, `run`), where the cells are opt-in."""
    parser.add_argument("--regions", action="store_true",
                        help="judge each cell of --grid on its own too and put them in the output "
                             "(costs several times the whole frame's checks)")


def _model_list(text: str) -> tuple[ModelName, ...]:
    names = []
    for part in filter(None, (p.strip().lower() for p in text.split(","))):
        try:
            names.append(ModelName(part))
        except ValueError:
            known = ", ".join(m.value for m in ModelName)
            raise argparse.ArgumentTypeError(f"unknown model {part!r} (known: {known})") from None
    return tuple(names)


def thresholds_from_args(args: argparse.Namespace) -> Thresholds:
    """The --strictness preset, then the TOML file, then --set, --enable and --disable (raises
    ValueError, one line)."""
    disabled = [name for arg in args.disable for name in arg.split(",") if name.strip()]
    enabled = [name for arg in args.enable for name in arg.split(",") if name.strip()]
    return load_thresholds(args.thresholds, args.overrides, disabled=disabled, enabled=enabled,
                           strictness=args.strictness)


def config_from_args(args: argparse.Namespace, *, keep_images: bool = False,
                     regions: bool = False) -> PipelineConfig:
    """The pipeline's configuration; ``regions``: judge the cells of ``--grid`` too."""
    return PipelineConfig(
        thresholds=thresholds_from_args(args),
        models=() if args.no_models else args.models,
        weights_dir=args.weights_dir,
        keep_images=keep_images,
        view_size=args.view_size,
        grid=args.grid if regions else None,
    )


def warn(message: str) -> None:
    print(f"livecheck: warning: {message}", file=sys.stderr, flush=True)


class ModelWarnings:
    """Warns once for each learned model that could not be loaded, and once for each that failed
    on a frame (it is tried again on later frames; the summary counts every failure).

    A live pipeline loads its models on the model thread, after ``start()`` has returned, so a
    caller asks again as it goes (``check`` is cheap) and once more after stopping.
    """

    def __init__(self) -> None:
        self._warned: set[str] = set()
        self._warned_failed: set[str] = set()

    def check(self, unavailable: Mapping[str, str], failed: Mapping[str, str]) -> None:
        """``unavailable``: name -> why it did not load; ``failed``: name -> its first failure."""
        for name, why in unavailable.items():
            if name not in self._warned:
                self._warned.add(name)
                warn(f"model {name} unavailable, fast checks go on: {why}")
        for name, first in failed.items():
            if name not in self._warned_failed:
                self._warned_failed.add(name)
                warn(f"model {name} failed on {first} (it goes on with the next frames; "
                     "failures are counted in the summary)")
