"""All of livecheck's speed figures in one run (see the issues for the targets).

    python scripts/bench.py [--quick] [--json] [--only assess,models,brisque,replay,capture,score,ray,live]

Sections: `assess` (the per-frame fast checks vs a memory-read floor, bench_assess.py), `models`
(NIMA/DIQA latency incl. the resize, bench_models.py), `brisque` (ours vs OpenCV's,
bench_brisque.py), `replay` (720p60 through the live pipeline: drops and latency, bench_replay.py),
`capture` (pacing accuracy, decode rate, reconnect time, stop time, bench_capture.py), `score`
(`livecheck score` on 12-MP JPEGs vs decoding alone, bench_score.py), `ray` (`score --engine ray`
on a local cluster vs `--jobs 1` and `--jobs 2`, bench_ray.py; needs livecheck[cluster]), `live` (720p60 with every
model through the app, offscreen and under Xvfb, and `replay --fps 60`, 5 runs each: latency,
display skips, stalls, first frame, bench_live.py).
Each section is also a script of its own. Timings on a shared 2-core machine are noisy: compare
the ratios measured within one run.
"""
from __future__ import annotations

import cv2

from livecheck.dev.sections import run_sections

SECTIONS = {
    "assess": "bench_assess",
    "models": "bench_models",
    "brisque": "bench_brisque",
    "replay": "bench_replay",
    "capture": "bench_capture",
    "score": "bench_score",
    "ray": "bench_ray",
    "live": "bench_live",
}


def main(argv: list[str] | None = None) -> int:
    return run_sections(__doc__, SECTIONS, "measure", argv, setup=lambda: cv2.setNumThreads(1))


if __name__ == "__main__":
    raise SystemExit(main())
