"""`livecheck replay`: a clip through the live pipeline, as if it were a camera.

One JSON line per analysed frame, a line ``{"event": "lost", "message": ...}`` wherever the source
reported something (lost, reconnected, a skipped frame), then one summary line
``{"summary": {...}}``. Lines are written by the main thread as they arrive and flushed one by
one, so an interrupted replay leaves a file that is complete line by line.
"""
from __future__ import annotations

import argparse
import json
import queue
import sys
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TextIO

from livecheck.capture import SourceEvent, open_capture
from livecheck.cli.options import (
    ModelWarnings,
    add_analysis_options,
    add_regions_option,
    add_stats_json_option,
    config_from_args,
    frame_rate,
    write_run_stats,
)
from livecheck.cli.stopping import StopRequest
from livecheck.hint import Hint
from livecheck.pipeline import Pipeline
from livecheck.result import FrameResult


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replay", help="run a clip through the live pipeline -> JSON lines + summary",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", help="video file, image folder or glob, stream URL or camera index")
    pace = p.add_mutually_exclusive_group()
    pace.add_argument("--fps", type=frame_rate, help="pace the clip at N frames/s instead of its own rate")
    pace.add_argument("--no-pace", action="store_true",
                      help="analyse every frame as fast as possible, deterministically (nothing dropped)")
    p.add_argument("--jsonl", type=argparse.FileType("w", encoding="utf-8"), metavar="OUT",
                   help="write the JSON lines to OUT instead of stdout")
    add_stats_json_option(p)
    add_analysis_options(p)
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


@dataclass
class FrameOrder:
    """Passes frame results and source events on in the order they happened at the source.

    The capture thread reports an event at once, while the frames it read just before are still
    queued for analysis; so each event comes tagged with the seq of the first frame captured after
    it, and is held back until every frame before that one has been passed on.
    """

    emit: Callable[[FrameResult | SourceEvent], None]
    _held: deque[tuple[int, SourceEvent]] = field(default_factory=deque)
    _next_seq: int = 0

    def event(self, next_seq: int, event: SourceEvent) -> None:
        self._held.append((next_seq, event))
        self._release(self._next_seq)

    def frame(self, result: FrameResult) -> None:
        self._release(result.seq)  # frames between the event and this one may have been dropped
        self.emit(result)
        self._next_seq = result.seq + 1
        self._release(self._next_seq)

    def flush(self) -> None:
        self._release(sys.maxsize)

    def _release(self, up_to_seq: int) -> None:
        while self._held and self._held[0][0] <= up_to_seq:
            self.emit(self._held.popleft()[1])


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args, regions=args.regions)
    out: TextIO = args.jsonl or sys.stdout
    # frame results (worker thread) and source events (capture thread) meet here
    results: queue.SimpleQueue[FrameResult | tuple[int, SourceEvent]] = queue.SimpleQueue()

    def on_event(event: SourceEvent) -> None:
        print(f"livecheck: {event.kind.value}: {event.message}", file=sys.stderr, flush=True)
        results.put((capture.stats.captured, event))  # captured so far = seq of the next frame

    capture = open_capture(args.source, pace=not args.no_pace, fps=args.fps, on_event=on_event)
    pipeline = Pipeline(capture, config, on_result=results.put)
    timeline = HintTimeline()

    def write(item: FrameResult | SourceEvent) -> None:
        if isinstance(item, SourceEvent):
            line = {"event": item.kind.value, "message": item.message}
        else:
            timeline.add(item)
            line = item.to_json()
        out.write(json.dumps(line, separators=(",", ":")) + "\n")
        out.flush()

    order = FrameOrder(write)

    def take(item: FrameResult | tuple[int, SourceEvent]) -> None:
        if isinstance(item, FrameResult):
            order.frame(item)
        else:
            order.event(*item)

    with ExitStack() as stack:
        stop = stack.enter_context(StopRequest())
        pipeline.start(wait_for_models=True)
        stack.callback(pipeline.stop)
        model_warnings = ModelWarnings()
        while not (pipeline.finished or stop.requested):
            model_warnings.check(pipeline.unavailable_models, pipeline.failed_models)
            try:
                take(results.get(timeout=0.05))
            except queue.Empty:
                pass
        pipeline.stop()
        model_warnings.check(pipeline.unavailable_models, pipeline.failed_models)
        while not results.empty():  # results that arrived while stopping are written too
            take(results.get())
        order.flush()
        timeline.finish()
        summary = pipeline.stats.to_json()
        summary["interrupted"] = stop.requested
        summary["hint_episodes"] = timeline.episodes
        summary["hint_seconds"] = timeline.seconds
        summary["unavailable_models"] = pipeline.unavailable_models
        out.write(json.dumps({"summary": summary}, separators=(",", ":")) + "\n")
        out.flush()
        print(_human_summary(summary), file=sys.stderr, flush=True)
        stats_ok = write_run_stats(args.stats_json, pipeline)
        if pipeline.error is not None:
            raise pipeline.error
    if stop.requested:
        return stop.exit_code
    if not stats_ok:
        return 1
    if capture.error:
        print(f"livecheck: error: {capture.error}", file=sys.stderr)
        return 1
    if pipeline.stats.analysed == 0:
        print(f"livecheck: error: no readable frame in {args.source}", file=sys.stderr)
        return 1
    return 0


def _human_summary(s: dict[str, object]) -> str:
    return (
        f"livecheck: {s['frames_analysed']} of {s['frames_captured']} frames analysed, "
        f"{s['frames_dropped']} dropped, latency p50 {s['latency_p50_ms']} ms / p99 {s['latency_p99_ms']} ms, "
        f"model runs {s['model_runs'] or 'none'}"
        + (f", model failures {s['model_failures']}" if s["model_failures"] else "")
    )
