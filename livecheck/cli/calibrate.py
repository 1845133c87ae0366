"""`livecheck calibrate SOURCE -o camera.toml`: thresholds fitted to one camera (livecheck/calibrate.py).

Watches a few seconds of SOURCE (a camera, a clip, a folder of photos) pointed at a good scene,
lit, in focus and with some detail, and writes a TOML file for `--thresholds`. A scene that is
itself too dark, blurred or featureless is refused with a one-line reason (exit code 2).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from livecheck.calibrate import CalibrationRefused, fit
from livecheck.capture import ReadStatus, make_source
from livecheck.cli.options import frame_rate
from livecheck.fastchecks import measure
from livecheck.view import VIEW_SIZE


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="fit the blur and noise thresholds to a camera pointed at a good scene",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", help="camera index, video file, image folder or glob, or stream URL")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.toml",
                   help="where to write the thresholds (a [thresholds] table for --thresholds)")
    p.add_argument("--seconds", type=frame_rate, default=3.0, metavar="S",
                   help="how much of the source to watch (default 3 s; a clip's own time)")
    p.add_argument("--view-size", type=int, default=VIEW_SIZE, metavar="PX",
                   help=f"the viewing size the thresholds are for (default {VIEW_SIZE}, as the other commands)")
    p.set_defaults(func=run)


def _frames(spec: str, seconds: float, view_size: int) -> Iterator[np.ndarray]:
    """The source's frames over ``seconds``: of media time for clips and folders, of wall time for
    cameras and streams (a folder's large JPEGs decoded as the other commands decode them)."""
    source = make_source(spec, decode_to=view_size)
    source.open()
    start = time.monotonic()
    try:
        while True:
            read = source.read()
            if read.status is not ReadStatus.FRAME or read.image is None:
                return
            fps = source.media_fps
            elapsed = read.index / fps if read.index is not None and fps else time.monotonic() - start
            if elapsed >= seconds:
                return
            yield read.image
    finally:
        source.close()


def run(args: argparse.Namespace) -> int:
    metrics = [measure(image, args.view_size) for image in _frames(args.source, args.seconds, args.view_size)]
    try:
        calibration = fit(metrics)
    except CalibrationRefused as exc:
        print(f"livecheck: calibrate: {exc}", file=sys.stderr)
        return 2
    args.output.write_text(calibration.to_toml(args.source), encoding="utf-8")
    fitted = ", ".join(f"{k}={v:.3g}" for k, v in calibration.fitted().items())
    print(f"livecheck: calibrated on {calibration.frames} frames: {fitted} -> {args.output}", file=sys.stderr)
    return 0
