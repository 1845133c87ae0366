"""`livecheck score` on a batch of 12-MP photos vs decoding alone (issue #12's targets).

    .venv/bin/python scripts/bench_score.py [--quick] [--json]

Makes PHOTOS (quick: 10) photo-like 4000x3000 JPEGs (q92) in a temporary folder: the sharp
high-resolution photos of ../shared/data/real_hr/sharp upscaled with a little sensor-like noise,
so decoding and every check meet real photo content. Then reports images/s of ``cv2.imread``
alone on one core, and of the CLI for ``score --json --no-models`` and ``score --json``, each with
the default ``--jobs`` (all cores) and with ``--jobs 1``, and each rate's ratio to the one-core
decode rate measured in the same run. Two rates per run: the whole run (process start, imports,
worker and model start-up included: what a batch of PHOTOS costs), and the running rate once
records flow (from the first record printed to the last: what each further photo of a long batch
costs). Targets on a 2-core machine: >= 1.6 x without the models, >= 0.8 x with them.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from livecheck.dev import distortions
from livecheck.dev.sections import section_main

REPO = Path(__file__).resolve().parents[1]

PHOTOS = 30
SIZE = (4000, 3000)
TARGETS = {"no_models": 1.6, "models": 0.8}


def make_photos(folder: Path, count: int) -> list[Path]:
    sources = sorted((distortions.default_shared_root() / "data" / "real_hr" / "sharp").glob("*.jpg"))
    if not sources:
        raise FileNotFoundError("no photos in ../shared/data/real_hr/sharp")
    rng = np.random.default_rng(12)
    paths = []
    for i in range(count):
        image = cv2.resize(cv2.imread(str(sources[i % len(sources)])), SIZE, interpolation=cv2.INTER_CUBIC)
        noisy = image.astype(np.float32) + rng.normal(0.0, 2.5, image.shape).astype(np.float32)
        path = folder / f"photo_{i:03d}.jpg"
        cv2.imwrite(str(path), np.clip(noisy, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 92])
        paths.append(path)
    return paths


def _decode_rate(paths: list[Path], flags: int = cv2.IMREAD_COLOR) -> float:
    cv2.setNumThreads(1)
    start = time.perf_counter()
    for path in paths:
        cv2.imread(str(path), flags)
    return len(paths) / (time.perf_counter() - start)


def cli_rate(folder: Path, count: int, *args: str) -> tuple[float, float]:
    """Images/s of one ``score --json`` run: over the whole run, and from its first record to its last."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "livecheck", "score", "--json", *args, str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    printed = [time.perf_counter() for _line in proc.stdout]
    err = proc.stderr.read()
    seconds = time.perf_counter() - start
    if proc.wait() != 0 or len(printed) != count:
        raise RuntimeError(f"score {' '.join(args)} failed ({proc.returncode}): {err.strip()[:300]}")
    return count / seconds, (count - 1) / max(printed[-1] - printed[0], 1e-9)


def measure(quick: bool = False) -> dict:
    count = 10 if quick else PHOTOS
    with tempfile.TemporaryDirectory(prefix="livecheck-bench-score-") as tmp:
        folder = Path(tmp)
        paths = make_photos(folder, count)
        _decode_rate(paths[:2])  # page cache warm for every variant alike
        decode = _decode_rate(paths)
        decode_half = _decode_rate(paths, cv2.IMREAD_REDUCED_COLOR_2)
        runs = {
            "no_models": cli_rate(folder, count, "--no-models"),
            "no_models_jobs1": cli_rate(folder, count, "--no-models", "--jobs", "1"),
            "models": cli_rate(folder, count),
            "models_jobs1": cli_rate(folder, count, "--jobs", "1"),
        }
    out: dict = {"photos": count, "size": f"{SIZE[0]}x{SIZE[1]} JPEG q92", "cores": len(os.sched_getaffinity(0))
                 if hasattr(os, "sched_getaffinity") else os.cpu_count(),
                 "decode_one_core_per_s": round(decode, 2),
                 # what `score` decodes of these photos by default: half size, still as large as the view
                 "decode_half_one_core_per_s": round(decode_half, 2)}
    for name, (whole, running) in runs.items():
        out[f"{name}_per_s"] = round(whole, 2)
        out[f"{name}_vs_decode"] = round(whole / decode, 2)
        out[f"{name}_running_per_s"] = round(running, 2)
        out[f"{name}_running_vs_decode"] = round(running / decode, 2)
    for name, target in TARGETS.items():
        out[f"{name}_target_vs_decode"] = target
        out[f"{name}_meets_target"] = out[f"{name}_vs_decode"] >= target
        out[f"{name}_running_meets_target"] = out[f"{name}_running_vs_decode"] >= target
    return out


def main(argv: list[str] | None = None) -> int:
    return section_main(__doc__, measure, argv, quick_help=f"10 photos instead of {PHOTOS}")


if __name__ == "__main__":
    raise SystemExit(main())
