"""The `livecheck` command: `score`, `replay`, `check`, `run`, `report`; with no arguments, the live view
of the demo clip."""
from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence

from livecheck.capture import SourceError
from livecheck.cli import calibrate, check, replay, report, run, score
from livecheck.cli.ray_engine import EngineUnavailable
from livecheck.imageio import ImageReadError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="livecheck",
        description="Real-time quality monitor for camera previews: blurry, too dark, too bright, noisy.",
        epilog="With no command, `livecheck` plays the bundled demo clip in the live view.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    score.add_parser(sub)
    replay.add_parser(sub)
    check.add_parser(sub)
    run.add_parser(sub)
    report.add_parser(sub)
    calibrate.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv) or ["run"])
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # whoever read our output left (`livecheck score --json DIR | head`): stop quietly, as
        # Unix tools do, and point stdout at /dev/null so the flush at exit cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except (SourceError, ImageReadError, EngineUnavailable, ValueError, OSError) as exc:
        # user errors: one line, no traceback
        print(f"livecheck: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
