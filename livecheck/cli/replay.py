"""`livecheck replay`: a clip through the live pipeline, as if it were a camera.

One JSON line per analysed frame, a line ``{"event": "lost", "message": ...}`` wherever the source
reported something (lost, reconnected, a skipped frame), then one summary line
``{"summary": {...}}``. Lines are written by the main thread as they arrive and flushed one by
one, so an interrupted replay leaves a file that is complete line by line. The summary names the
clip in "source".

Several clips (or --engine ray) make a batch: each clip's lines as a replay of it alone writes
them, the clips one after another in input order. A clip that cannot be opened or replayed gets
``{"source", "error"}`` and one line on stderr; the others go on, and the exit code is 1. With
--engine ray the clips are shared among a Ray cluster's workers, one clip per worker at a time,
every frame analysed (--no-pace).
"""
from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TextIO

from livecheck.capture import SourceError, SourceEvent
from livecheck.cli import ray_engine
from livecheck.cli.check import ExpectRun, add_expect_options
from livecheck.cli.options import (
    Engine,
    ModelWarnings,
    add_analysis_options,
    add_engine_options,
    add_regions_option,
    add_stats_json_option,
    check_engine_options,
    config_from_args,
    frame_rate,
    write_run_stats,
)
from livecheck.cli.score import usable_cores
from livecheck.cli.stopping import StopRequest
from livecheck.hint import Hint
from livecheck.report.thumbs import ThumbWriter
from livecheck.result import FrameResult
from livecheck.session import Session, SessionOptions


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replay", help="run a clip through the live pipeline -> JSON lines + summary",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", nargs="+", help="video file, image folder or glob, stream URL or camera index; "
                                             "several make a batch, replayed one after another")
    pace = p.add_mutually_exclusive_group()
    pace.add_argument("--fps", type=frame_rate, help="pace the clip at N frames/s instead of its own rate")
    pace.add_argument("--no-pace", action="store_true",
                      help="analyse every frame as fast as possible, deterministically (nothing dropped)")
    p.add_argument("--jsonl", type=argparse.FileType("w", encoding="utf-8"), metavar="OUT",
                   help="write the JSON lines to OUT instead of stdout")
    p.add_argument("--thumbs", type=Path, metavar="DIR",
                   help="write a small JPEG of each frame where the hints changed to DIR (for `livecheck report`)")
    add_stats_json_option(p)
    add_expect_options(p, required=False)
    add_analysis_options(p)
    add_engine_options(p)
    add_regions_option(p)
    p.set_defaults(func=run)


@dataclass
class HintTimeline:
    """Counts how often each debounced hint came on and for how long, from the stream of results."""

    episodes: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    _since: dict[Hint, float] = field(default_factory=dict)
    _last_t: float = 0.0

    def add(self, result: FrameResult) -> None:
        for hint in result.hints - self._since.keys():
            self._since[hint] = result.t_media
            self.episodes[hint.value] = self.episodes.get(hint.value, 0) + 1
        for hint in self._since.keys() - result.hints:
            self._close(hint, result.t_media)
        self._last_t = result.t_media

    def finish(self) -> None:
        for hint in list(self._since):
            self._close(hint, self._last_t)

    def _close(self, hint: Hint, t: float) -> None:
        start = self._since.pop(hint)
        self.seconds[hint.value] = round(self.seconds.get(hint.value, 0.0) + t - start, 3)


def run(args: argparse.Namespace) -> int:
    check_engine_options(args)
    if args.engine is Engine.LOCAL and len(args.source) == 1:
        return _replay_one(args, args.source[0])
    return _replay_batch(args)


def _replay_one(args: argparse.Namespace, source: str) -> int:
    expect = ExpectRun.from_args(args)  # a malformed timeline stops here, before the replay
    code = _replay(args, source, args.jsonl or sys.stdout, expect)
    if expect is None:
        return code
    passed = expect.finish(sys.stderr)
    return code or (0 if passed else 1)


def _replay_batch(args: argparse.Namespace) -> int:
    for option, value in (("--stats-json", args.stats_json), ("--expect", args.expect), ("--junit", args.junit),
                          ("--thumbs", args.thumbs)):
        if value is not None:
            raise ValueError(f"{option} takes one clip, not a batch")
    if args.engine is Engine.RAY and args.fps is not None:
        raise ValueError("--engine ray analyses every frame (--no-pace); --fps does not apply")
    config_from_args(args)  # a bad --thresholds or --set is a usage error before any clip starts
    out: TextIO = args.jsonl or sys.stdout
    clip_args = argparse.Namespace(**{**vars(args), "jsonl": None,
                                      "no_pace": args.no_pace or args.engine is Engine.RAY})
    failures = 0
    with StopRequest() as stop:
        if args.engine is Engine.RAY:
            clips = ray_engine.replay_all(args.source, partial(replay_clip, clip_args), args.ray_address,
                                          usable_cores(), stop)
            for clip in clips:
                sys.stderr.write(clip.stderr)
                sys.stderr.flush()
                out.write(clip.lines)
                out.flush()
                failures += clip.code != 0
        else:
            for source in args.source:
                code = replay_clip(clip_args, source, out)
                if code > 128:  # the clip was stopped by a signal (its own StopRequest had it): so is the batch
                    return code
                failures += code != 0
    if stop.requested:
        return stop.exit_code
    return 1 if failures else 0


def replay_clip(args: argparse.Namespace, source: str, out: TextIO) -> int:
    """One clip of a batch, as a replay of it alone, but a clip that cannot be opened or replayed gets
    ``{"source", "error"}`` on ``out`` and one line on stderr instead of ending the batch."""
    try:
        return _replay(args, source, out, None)
    except SourceError as exc:
        why = str(exc)
    except Exception as exc:  # as a file in `score`: this clip's error, the batch goes on
        why = f"cannot replay: {type(exc).__name__}: {exc}".splitlines()[0]
    out.write(json.dumps({"source": source, "error": why}, separators=(",", ":")) + "\n")
    out.flush()
    print(f"livecheck: {source}: {why}", file=sys.stderr, flush=True)
    return 1


def _replay(args: argparse.Namespace, source: str, out: TextIO, expect: ExpectRun | None) -> int:
    """`livecheck replay SOURCE`: its JSON lines on ``out``, its exit code (2: raises SourceError)."""
    config = config_from_args(args, keep_images=args.thumbs is not None, regions=args.regions)
    session = Session(SessionOptions(source, config, pace=not args.no_pace, fps=args.fps, wait_for_models=True))
    timeline = HintTimeline()
    thumbs = ThumbWriter(args.thumbs)
    with ExitStack() as stack:
        stop = stack.enter_context(StopRequest())
        session.start()
        stack.callback(session.stop)
        model_warnings = ModelWarnings()
        while not session.ended:
            if stop.requested:
                session.stop()  # what arrived meanwhile still comes out of the stream, and is written
            item = session.next(timeout=0.05)
            model_warnings.check(session.unavailable_models, session.failed_models)
            if item is not None:
                _write(out, item, timeline, thumbs, expect)
        timeline.finish()
        summary = _summary(session, timeline, interrupted=stop.requested)
        summary["source"] = source
        out.write(json.dumps({"summary": summary}, separators=(",", ":")) + "\n")
        out.flush()
        print(_human_summary(summary), file=sys.stderr, flush=True)
        stats_ok = write_run_stats(args.stats_json, session)
        if session.error is not None:
            raise session.error
    return _exit_code(session, stop, stats_ok, source)


def _write(out: TextIO, item: FrameResult | SourceEvent, timeline: HintTimeline, thumbs: ThumbWriter,
           expect: ExpectRun | None) -> None:
    """One line, flushed at once, so an interrupted replay leaves a file complete line by line."""
    if isinstance(item, SourceEvent):
        print(f"livecheck: {item.kind.value}: {item.message}", file=sys.stderr, flush=True)
        line = {"event": item.kind.value, "message": item.message}
    else:
        timeline.add(item)
        thumbs.add(item)
        line = item.to_json()
        if expect is not None:
            expect.add(line)  # the line as written, so `livecheck check` on the output judges the same
    out.write(json.dumps(line, separators=(",", ":")) + "\n")
    out.flush()


def _summary(session: Session, timeline: HintTimeline, *, interrupted: bool) -> dict[str, object]:
    stats = session.stats
    summary: dict[str, object] = stats.to_json() if stats is not None else {}
    summary["interrupted"] = interrupted
    summary["hint_episodes"] = timeline.episodes
    summary["hint_seconds"] = timeline.seconds
    summary["unavailable_models"] = session.unavailable_models
    return summary


def _exit_code(session: Session, stop: StopRequest, stats_ok: bool, source: str) -> int:
    if stop.requested:
        return stop.exit_code
    if not stats_ok:
        return 1
    if session.source_error:
        print(f"livecheck: error: {session.source_error}", file=sys.stderr)
        return 1
    stats = session.stats
    if stats is None or stats.analysed == 0:
        print(f"livecheck: error: no readable frame in {source}", file=sys.stderr)
        return 1
    return 0


def _human_summary(s: dict[str, object]) -> str:
    return (
        f"livecheck: {s['frames_analysed']} of {s['frames_captured']} frames analysed, "
        f"{s['frames_dropped']} dropped, latency p50 {s['latency_p50_ms']} ms / p99 {s['latency_p99_ms']} ms, "
        f"model runs {s['model_runs'] or 'none'}"
        + (f", model failures {s['model_failures']}" if s["model_failures"] else "")
    )
