"""`livecheck score --engine ray` on this machine vs the local engine with --jobs 1 and --jobs 2.

    .venv/bin/python scripts/bench_ray.py [--quick] [--json]

The same 12-MP photos as bench_score.py (quick: 10 instead of 30), every model on. Reports
images/s of the whole CLI (process start included) for ``--jobs 1``, ``--jobs 2`` and ``--engine
ray`` (a local cluster of 2 CPUs started and shut down by the run, as without --ray-address), the
ratios between them, and the wall time of ``--engine ray`` on one photo: the fixed cost of starting
the cluster and its actors, which a batch on one machine has to win back. Needs the
livecheck[cluster] extra.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench_score import PHOTOS, cli_rate, make_photos  # a sibling script: scripts/ is on sys.path when run

from livecheck.dev.sections import section_main

RAY = ("--engine", "ray", "--jobs", "2")


def measure(quick: bool = False) -> dict:
    count = 10 if quick else PHOTOS
    with tempfile.TemporaryDirectory(prefix="livecheck-bench-ray-") as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        make_photos(folder, count)
        one = Path(tmp) / "one"
        one.mkdir()
        (one / "photo.jpg").symlink_to(next(folder.iterdir()))
        start = time.perf_counter()
        cli_rate(one, 1, *RAY)
        fixed = time.perf_counter() - start
        rates = {
            "jobs1": cli_rate(folder, count, "--jobs", "1"),
            "jobs2": cli_rate(folder, count, "--jobs", "2"),
            "ray": cli_rate(folder, count, *RAY),
        }
    out: dict = {"photos": count, "models": "all", "ray_cpus": 2, "ray_one_photo_s": round(fixed, 2)}
    out.update({f"{name}_per_s": round(rate, 3) for name, rate in rates.items()})
    out["ray_vs_jobs1"] = round(rates["ray"] / rates["jobs1"], 2)
    out["ray_vs_jobs2"] = round(rates["ray"] / rates["jobs2"], 2)
    out["jobs2_vs_jobs1"] = round(rates["jobs2"] / rates["jobs1"], 2)
    return out


def main(argv: list[str] | None = None) -> int:
    return section_main(__doc__, measure, argv, quick_help=f"10 photos instead of {PHOTOS}")


if __name__ == "__main__":
    raise SystemExit(main())
