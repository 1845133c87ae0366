"""`livecheck check`: a recorded `livecheck replay` output judged against an expected-hint timeline.

    livecheck replay clip.mp4 --no-pace --jsonl run.jsonl
    livecheck check run.jsonl --expect timeline.csv --junit report.xml

The same judgement as `livecheck replay clip.mp4 --expect timeline.csv`, without replaying. Prints
one line per window and a summary line; exit 0 when every window passes, 1 when any fails, 2 on a
malformed timeline or run file (one line naming the file and line).
"""
from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from livecheck.cli.options import number
from livecheck.expect import (
    ExpectSettings,
    Sample,
    Window,
    judge,
    load_timeline,
    report_lines,
    samples_from_jsonl,
    write_junit,
)
from livecheck.expect.judge import DEFAULT_COVERAGE, DEFAULT_GRACE_S, is_frame_record


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="judge a recorded replay (JSON lines) against an expected-hint timeline",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_file", metavar="RUN.jsonl", help="the JSON lines of `livecheck replay` (- for stdin)")
    add_expect_options(p, required=True)
    p.set_defaults(func=run)


def add_expect_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    group = parser.add_argument_group("expected hints")
    group.add_argument("--expect", type=Path, required=required, metavar="TIMELINE.csv",
                       help="CSV start,end,expect (seconds of the clip; a hint, hints joined by +, or "
                            "none): judge each window, report it, exit 1 if any fails")
    group.add_argument("--junit", type=Path, metavar="OUT.xml",
                       help="also write the verdict as JUnit XML, one testcase per window")
    group.add_argument("--expect-coverage", type=_share, default=DEFAULT_COVERAGE, metavar="SHARE",
                       help="share of each window, after the grace period, on which the expected "
                            f"hints must show (default {DEFAULT_COVERAGE:g})")
    group.add_argument("--expect-grace", type=_grace, default=DEFAULT_GRACE_S, metavar="S",
                       help="seconds at the start of each window that are not judged, for the hints' "
                            f"debounce (default {DEFAULT_GRACE_S:g})")


@dataclass
class ExpectRun:
    """``--expect`` for one run: the timeline, read up front, and the samples as the run goes."""

    windows: tuple[Window, ...]
    settings: ExpectSettings
    junit: Path | None
    suite: str
    samples: list[Sample] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ExpectRun | None:
        """None without ``--expect``; TimelineError (a ValueError) on a malformed timeline."""
        if args.expect is None:
            if args.junit is not None:
                raise ValueError("--junit needs --expect TIMELINE.csv")
            return None
        settings = ExpectSettings(coverage=args.expect_coverage, grace=args.expect_grace)
        return cls(load_timeline(args.expect, grace=settings.grace), settings, args.junit, args.expect.stem)

    def add(self, record: Mapping[str, Any]) -> None:
        """Take one output line of the run (events and the summary are passed over)."""
        if is_frame_record(record):
            self.samples.append(Sample.from_record(record))

    def finish(self, out: TextIO) -> bool:
        """Judge, print the report to ``out``, write the JUnit file; True when every window passed."""
        if not self.samples:
            print("livecheck: expect: no analysed frame to judge", file=out)
            return False
        verdict = judge(self.windows, self.samples, self.settings)
        for line in report_lines(verdict):
            print(line, file=out)
        if self.junit is not None:
            write_junit(self.junit, verdict, self.suite)
        out.flush()
        return verdict.passed


def run(args: argparse.Namespace) -> int:
    expect = ExpectRun.from_args(args)
    assert expect is not None  # --expect is required here
    if args.run_file == "-":
        expect.samples = samples_from_jsonl(sys.stdin, "<stdin>")
    else:
        with open(args.run_file, encoding="utf-8") as f:
            expect.samples = samples_from_jsonl(f, args.run_file)
    return 0 if expect.finish(sys.stdout) else 1


def _share(text: str) -> float:
    value = number(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be a share in (0, 1], e.g. 0.9, not {text!r}")
    return value


def _grace(text: str) -> float:
    value = number(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number of seconds >= 0, not {text!r}")
    return value
