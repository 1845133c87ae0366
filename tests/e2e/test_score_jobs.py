"""`livecheck score --jobs N`: worker processes, input order, bounded queues, stops and crashes."""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.cli import read_to_exit

from livecheck.cli import main
from livecheck.cli.score_pool import AHEAD_PER_WORKER, ScorePool
from livecheck.imageio import iter_image_paths
from livecheck.pipeline import PipelineConfig

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _photo(path: Path, height: int, width: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    base = cv2.resize(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8), (width, height),
                      interpolation=cv2.INTER_CUBIC)
    noisy = base.astype(np.int16) + rng.integers(-6, 7, base.shape, dtype=np.int16)
    cv2.imwrite(str(path), np.clip(noisy, 0, 255).astype(np.uint8))
    return path


def _score(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "livecheck", "score", "--json", *args], capture_output=True,
                          text=True, timeout=120, env=ENV, check=False)


class _Stop:
    """A StopRequest that a test sets by hand."""

    requested = False


def _batch(folder: Path, count: int, height: int = 480, width: int = 640) -> list[Path]:
    first = _photo(folder / "p000.jpg", height, width, 0)
    for i in range(1, count):
        os.link(first, folder / f"p{i:03d}.jpg")
    return sorted(folder.glob("p*.jpg"))


def test_jobs_2_prints_the_same_records_in_input_order_as_jobs_1(tmp_path: Path) -> None:
    # the big photo first: with two workers, the small ones behind it finish before it does
    files = [_photo(tmp_path / "big.jpg", 2400, 3200, 0)]
    files += [_photo(tmp_path / f"small{i}.png", 120, 160, i) for i in range(1, 6)]
    (tmp_path / "junk.jpg").write_bytes(b"not a picture")
    specs = [str(files[0]), str(tmp_path / "junk.jpg"), str(tmp_path / "nothing-*.jpg"), *map(str, files[1:])]
    one = _score("--jobs", "1", "--models", "brisque", *specs)
    two = _score("--jobs", "2", "--models", "brisque", *specs)
    assert one.returncode == two.returncode == 1  # the junk file and the empty glob
    assert two.stdout == one.stdout
    assert two.stderr == one.stderr
    names = [Path(json.loads(line)["path"]).name for line in two.stdout.splitlines()]
    assert names == ["big.jpg", "junk.jpg", "nothing-*.jpg"] + [f"small{i}.png" for i in range(1, 6)]
    brisque = json.loads(two.stdout.splitlines()[0])["models"]["brisque"]
    assert brisque["input"] == "long side at most 768 px"


def test_full_resolution_runs_brisque_on_every_pixel(tmp_path: Path) -> None:
    big = _photo(tmp_path / "big.jpg", 1200, 1600, 3)
    default, full = (json.loads(_score("--models", "brisque", *extra, str(big)).stdout)["models"]["brisque"]
                     for extra in ((), ("--full-resolution",)))
    assert full["input"] == "full resolution"
    assert default["input"] == "long side at most 768 px"
    assert full["score"] != default["score"]


def test_pool_runs_a_bounded_distance_ahead_of_its_output(tmp_path: Path) -> None:
    paths = _batch(tmp_path, 40)
    pool = ScorePool(2, PipelineConfig(models=()), _Stop())  # type: ignore[arg-type]
    try:
        records = list(pool.score_all(list(iter_image_paths([str(tmp_path)]))))
    finally:
        pool.close()
    assert [r["path"] for r in records] == [str(p) for p in paths]
    assert all("quality" in r for r in records)
    assert 2 <= pool.peak_ahead <= 2 * AHEAD_PER_WORKER


def test_pool_stop_prints_every_finished_record_and_starts_no_new_file(tmp_path: Path) -> None:
    paths = _batch(tmp_path, 40)
    stop = _Stop()
    pool = ScorePool(2, PipelineConfig(models=()), stop)  # type: ignore[arg-type]
    try:
        records = pool.score_all(list(paths))
        seen = [next(records) for _ in range(3)]
        stop.requested = True
        time.sleep(1.0)  # the files in flight finish meanwhile
        seen += list(records)
    finally:
        pool.close()
    assert [r["path"] for r in seen] == [str(p) for p in paths[:len(seen)]]  # a prefix: nothing lost
    # the files handed out were all finished and kept; no new file was begun
    assert 3 < len(seen) <= 3 + 2 * AHEAD_PER_WORKER


def test_a_worker_that_dies_costs_only_the_file_it_was_on(tmp_path: Path) -> None:
    paths = _batch(tmp_path, 12, 1500, 2000)
    # one worker, so the one killed is surely scoring by then (and a fresh one takes over)
    pool = ScorePool(1, PipelineConfig(models=()), _Stop())  # type: ignore[arg-type]
    try:
        records = pool.score_all(list(paths))
        seen = [next(records)]
        os.kill(multiprocessing.active_children()[0].pid, signal.SIGKILL)
        seen += list(records)
    finally:
        pool.close()
    assert [r["path"] for r in seen] == [str(p) for p in paths]
    failed = [r for r in seen if "error" in r]
    assert len(failed) == 1
    assert failed[0]["error"] == "the scoring process died on this file (killed by SIGKILL)"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_with_two_jobs_keeps_input_order_and_whole_lines(tmp_path: Path, sig: int) -> None:
    paths = _batch(tmp_path, 200)
    proc = subprocess.Popen([sys.executable, "-m", "livecheck", "score", "--json", "--no-models", "--jobs", "2",
                             str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    assert proc.stdout is not None
    printed = [proc.stdout.readline() for _ in range(5)]
    sent = time.monotonic()
    proc.send_signal(sig)
    rest, err = read_to_exit(proc)
    assert time.monotonic() - sent < 1.0
    assert proc.returncode == 128 + sig
    assert err == ""
    records = [json.loads(line) for line in ("".join(printed) + rest).splitlines()]
    assert 5 <= len(records) < 200
    printed_paths = [r["path"] for r in records]
    # in input order; a file that was not finished within the stop's grace is missing, no other
    assert printed_paths == [str(p) for p in paths if str(p) in set(printed_paths)]
    assert printed_paths[:5] == [str(p) for p in paths[:5]]


def test_jobs_must_be_a_positive_whole_number(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["score", "--jobs", "0", "x.jpg"])
    assert exited.value.code == 2
    assert "argument --jobs: must be a whole number of processes, at least 1, not '0'" in capfd.readouterr().err
