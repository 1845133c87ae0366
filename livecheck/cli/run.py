"""`livecheck run`: the live view — the Qt app where a display exists, else a headless log of hint changes."""
from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path

from livecheck.capture import RetryPolicy, SourceEvent
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
from livecheck.hint import Hint
from livecheck.result import FrameResult
from livecheck.session import KIOSK_RESTART_S, Session, SessionOptions


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
    p.add_argument("--loop", action="store_true",
                   help="headless: start a clip or folder again when it ends (the window always does)")
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
    """The null preview: print each change of the debounced hints, with the quality at that moment.

    ``--loop`` starts a clip again when it ends; ``--kiosk`` loops too and, like the window's
    kiosk, opens a source that failed or gave up again (for ever)."""
    source = args.source if args.source is not None else str(demo_clip())
    session = Session(SessionOptions(
        source, config_from_args(args, regions=args.regions), fps=args.fps, loop=args.loop or args.kiosk,
        retry=RetryPolicy(max_wait=None) if args.kiosk else None,
        restart_after_s=KIOSK_RESTART_S if args.kiosk else None))
    shown: frozenset[Hint] = frozenset()
    with ExitStack() as stack:
        stop = stack.enter_context(StopRequest())
        session.start()
        stack.callback(session.stop)
        model_warnings = ModelWarnings()
        while not session.ended:
            if stop.requested:
                session.stop()
            item = session.next(timeout=0.1)
            model_warnings.check(session.unavailable_models, session.failed_models)
            if isinstance(item, SourceEvent):
                print(f"livecheck: {item.kind.value}: {item.message}", file=sys.stderr, flush=True)
            elif item is not None and item.hints != shown:
                print(_hint_change(item, shown), flush=True)
                shown = item.hints
        stats = session.stats
        if stats is not None:
            failures = f", model failures {stats.model_failures}" if stats.model_failures else ""
            print(f"livecheck: {stats.analysed} frames analysed, {stats.dropped} dropped{failures}", file=sys.stderr)
        stats_ok = write_run_stats(args.stats_json, session)
        if session.error is not None:
            raise session.error
    if stop.requested:
        return stop.exit_code
    # the source gave up: its ERROR line is already on stderr
    return 1 if session.source_error or not stats_ok else 0


def _hint_change(result: FrameResult, shown: frozenset[Hint]) -> str:
    on = sorted(h.value for h in result.hints - shown)
    off = sorted(h.value for h in shown - result.hints)
    change = " ".join([f"+{h}" for h in on] + [f"-{h}" for h in off])
    state = ", ".join(sorted(h.value for h in result.hints)) or "looks good"
    return f"{result.t_media:8.2f}s  {change:<28} now: {state}  (quality {result.quality:.0f})"
