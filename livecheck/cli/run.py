"""`livecheck run`: the live view — the Qt app where a display exists, else a headless log of hint changes."""
from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path

from livecheck.capture import SourceEvent, open_capture
from livecheck.cli.options import (
    ModelWarnings,
    add_analysis_options,
    add_regions_option,
    add_stats_json_option,
    config_from_args,
    demo_clip,
    frame_rate,
    warn,
    write_run_stats,
)
from livecheck.cli.stopping import StopRequest
from livecheck.pipeline import Pipeline
from livecheck.result import FrameResult


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="the live view (Qt window, or headless where there is no display)",
                       description=__doc__)
    add_run_options(p)
    p.set_defaults(func=run)


def add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", metavar="SRC",
                   help="camera index, video file, image folder/glob or stream URL (default: the demo clip)")
    p.add_argument("--fps", type=frame_rate, help="pace a clip or folder at N frames/s")
    p.add_argument("--headless", action="store_true", help="no window: print hint changes to stdout")
    p.add_argument("--kiosk", action="store_true",
                   help="fullscreen, no window chrome, large type, hidden cursor, source restarted on failure")
    p.add_argument("--screenshot", type=Path, metavar="OUT.png", help="save a screenshot of the window and exit")
    p.add_argument("--after", type=float, default=3.0, metavar="SECONDS",
                   help="with --screenshot: how long to run first (default 3)")
    p.add_argument("--hud", action="store_true", help="start with the HUD shown (toggle with h)")
    p.add_argument("--snapshot-dir", type=Path, default=Path("."), metavar="DIR",
                   help="where space-bar snapshots go (default: current folder)")
    p.add_argument("--auto-capture", type=float, metavar="SECONDS",
                   help="save the best frame once every hint has stayed clear this long")
    add_stats_json_option(p)
    add_analysis_options(p)
    add_regions_option(p)


def run(args: argparse.Namespace) -> int:
    from livecheck.app.display import display_available

    if args.headless or not display_available():
        if not args.headless:
            warn("no display found: running headless (hint changes are printed; use --headless to say so)")
        return run_headless(args)
    from livecheck.app import AppOptions, run_app

    return run_app(AppOptions(
        source=args.source if args.source is not None else str(demo_clip()),
        kiosk=args.kiosk,
        screenshot=args.screenshot,
        after_s=args.after,
        fps=args.fps,
        snapshot_dir=args.snapshot_dir,
        auto_capture_s=args.auto_capture,
        show_hud=args.hud,
        pipeline_config=config_from_args(args, keep_images=True, regions=args.regions),
        stats_json=args.stats_json,
    ))


def run_headless(args: argparse.Namespace) -> int:
    """The null preview: print each change of the debounced hints, with the quality at that moment."""
    source = args.source if args.source is not None else str(demo_clip())
    shown: frozenset = frozenset()

    def on_event(event: SourceEvent) -> None:
        print(f"livecheck: {event.kind.value}: {event.message}", file=sys.stderr, flush=True)

    def on_result(result: FrameResult) -> None:
        nonlocal shown  # only the worker thread touches it
        if result.hints != shown:
            on = sorted(h.value for h in result.hints - shown)
            off = sorted(h.value for h in shown - result.hints)
            change = " ".join([f"+{h}" for h in on] + [f"-{h}" for h in off])
            state = ", ".join(sorted(h.value for h in result.hints)) or "looks good"
            print(f"{result.t_media:8.2f}s  {change:<28} now: {state}  (quality {result.quality:.0f})", flush=True)
            shown = result.hints

    capture = open_capture(source, pace=True, fps=args.fps, on_event=on_event)
    pipeline = Pipeline(capture, config_from_args(args, regions=args.regions), on_result=on_result)
    with ExitStack() as stack:
        stop = stack.enter_context(StopRequest())
        pipeline.start()
        stack.callback(pipeline.stop)
        model_warnings = ModelWarnings()
        while not (pipeline.finished or stop.wait(0.1)):
            model_warnings.check(pipeline.unavailable_models, pipeline.failed_models)
        pipeline.stop()
        model_warnings.check(pipeline.unavailable_models, pipeline.failed_models)
        stats = pipeline.stats
        failures = f", model failures {stats.model_failures}" if stats.model_failures else ""
        print(f"livecheck: {stats.analysed} frames analysed, {stats.dropped} dropped{failures}", file=sys.stderr)
        stats_ok = write_run_stats(args.stats_json, pipeline)
        if pipeline.error is not None:
            raise pipeline.error
    if stop.requested:
        return stop.exit_code
    return 1 if capture.error or not stats_ok else 0  # the source gave up (its ERROR line is already on stderr)
