"""`livecheck report`: JSON lines of `livecheck replay` or `livecheck score --json` -> one HTML page.

The page is self-contained (plots as inline SVG, pictures as data: URIs, no scripts): a replay
gets its timeline of quality, sharpness, luma and noise over the hint bands (and the expected
windows with --expect), the frames where the hints changed (pictures from `replay --thumbs DIR`,
given here as --thumbs DIR), the summary and the models' scores; a batch of photos gets a grid
sorted by quality with each photo's hints (pictures read from the photos' paths).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from livecheck.expect.timeline import load_timeline
from livecheck.report.records import PhotoBatch, read_records

EXTRA_HINT = "livecheck report needs matplotlib: pip install 'livecheck[report]'"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="JSON lines of replay or score -> one self-contained HTML report",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("records", metavar="RUN.jsonl", help="the JSON lines to report on; - reads stdin")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.html", help="where to write the page")
    p.add_argument("--expect", type=Path, metavar="TIMELINE.csv",
                   help="draw these expected-hint windows (CSV header start,end,expect) on the timeline")
    p.add_argument("--thumbs", type=Path, metavar="DIR",
                   help="the folder `livecheck replay --thumbs DIR` wrote the hint changes' pictures to")
    p.add_argument("--title", help="the page's title (default: the input's name)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from livecheck.report import html
    except ImportError as exc:
        if exc.name is None or not exc.name.startswith("matplotlib"):
            raise
        print(f"livecheck: error: {EXTRA_HINT}", file=sys.stderr)
        return 2
    if args.records == "-":
        records, base_dir = read_records(sys.stdin.buffer, "-"), None
    else:
        path = Path(args.records)
        with path.open("rb") as f:
            records = read_records(f, args.records)
        base_dir = path.parent
    title = args.title or ("livecheck report" if args.records == "-" else Path(args.records).name)
    if isinstance(records, PhotoBatch):
        if args.expect is not None or args.thumbs is not None:
            raise ValueError("--expect and --thumbs are for a replay's records, not scored photos")
        page = html.photos_page(records, title, base_dir)
    else:
        windows = load_timeline(args.expect, grace=0.0) if args.expect is not None else ()
        page = html.replay_page(records, title, windows, args.thumbs)
    args.output.write_text(page, encoding="utf-8")
    print(f"livecheck: wrote {args.output}", file=sys.stderr)
    return 0
