"""The `livecheck` commands on user mistakes, signals and broken model files.

tests/test_cli.py covers the JSON contracts, a few argument errors and an interrupted replay;
here: the rest of the argument errors, SIGINT/SIGTERM during `score` and `run --headless`, and
model files that are missing, truncated or garbage.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.cli import read_to_exit
from support.media import write_video

from livecheck.cli import main
from livecheck.models import ModelName, brisque, diqa, nima

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}
EXIT_TIME_S = 1.0


def start(*argv: str, stdout: int | None = subprocess.PIPE) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "livecheck", *argv], stdout=stdout,
                            stderr=subprocess.PIPE, text=True, env=ENV)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens on it once closed


def photo(path: Path) -> Path:
    rng = np.random.default_rng(0)
    image = cv2.resize(rng.integers(0, 256, (60, 80, 3), dtype=np.uint8), (640, 480), interpolation=cv2.INTER_CUBIC)
    assert cv2.imwrite(str(path), image)
    return path


# --- argument mistakes: one line, non-zero, no traceback ----------------------------------------

@pytest.fixture()
def threshold_files(tmp_path: Path) -> Path:
    (tmp_path / "malformed.toml").write_text("[thresholds\nblurry_on = 1.5\n")
    (tmp_path / "unknown.toml").write_text("[thresholds]\nwobble_on = 3\n")
    (tmp_path / "not_a_number.toml").write_text('[thresholds]\ndark_on = "dim"\n')
    (tmp_path / "no_table.toml").write_text("dark_on = 30\n")
    (tmp_path / "not_a_video.avi").write_text("a text file with a video's name\n")
    photo(tmp_path / "p.jpg")
    return tmp_path


@pytest.mark.parametrize("argv, fragments", [
    (["run", "--headless", "--source", "-1"], ["camera index must be 0 or more"]),
    (["run", "--headless", "--source", "3"], ["no camera at index 3", "--source FILE", "demo"]),
    (["replay", "3"], ["no camera at index 3", "replay FILE", "demo"]),
    (["run", "--headless", "--source", "{tmp}/missing.mp4"], ["no such file", "missing.mp4"]),
    (["score", "--thresholds", "{tmp}/malformed.toml", "{tmp}/p.jpg"], ["malformed TOML", "malformed.toml", "line 1"]),
    (["score", "--thresholds", "{tmp}/unknown.toml", "{tmp}/p.jpg"], ["unknown threshold 'wobble_on'", "dark_on"]),
    (["replay", "--thresholds", "{tmp}/not_a_number.toml", "{tmp}/p.jpg"], ["dark_on must be a number"]),
    (["score", "--thresholds", "{tmp}/no_table.toml", "{tmp}/p.jpg"], ["no [thresholds] table"]),
    (["score", "--thresholds", "{tmp}/absent.toml", "{tmp}/p.jpg"], ["cannot read thresholds file", "absent.toml"]),
    (["replay", "--disable", "sleepy", "{tmp}/p.jpg"], ["unknown hint 'sleepy'", "too_dark"]),
    (["run", "--headless", "--disable", "sleepy", "--source", "{tmp}/p.jpg"], ["unknown hint 'sleepy'"]),
    (["replay", "{tmp}/not_a_video.avi", "--no-pace"], ["cannot open", "not a video"]),
    (["score", "--set", "dark_on", "{tmp}/p.jpg"], ["not NAME=VALUE"]),
    (["score", "--set", "dark_on=nan", "{tmp}/p.jpg"], ["finite"]),
])
def test_user_errors_give_one_line(argv: list[str], fragments: list[str], threshold_files: Path,
                                   capfd: pytest.CaptureFixture[str]) -> None:
    rc = main([a.format(tmp=threshold_files) for a in argv] + ["--no-models"])
    out, err = capfd.readouterr()
    assert rc == 2
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith("livecheck: error: ")
    for fragment in fragments:
        assert fragment in line


@pytest.mark.parametrize("command", [["replay"], ["run", "--headless", "--source"]])
def test_unreachable_stream_fails_fast_with_the_reason(command: list[str], capfd: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{closed_port()}/x.mjpg"
    started = time.monotonic()
    rc = main([*command, url, "--no-models"])
    assert time.monotonic() - started < 2.0
    (line,) = capfd.readouterr().err.splitlines()
    assert rc == 2
    assert line == f"livecheck: error: cannot reach {url}: connection refused"


@pytest.mark.parametrize("argv", [["replay", "--fps", "nan", "x"], ["replay", "--fps", "-2", "x"],
                                  ["run", "--headless", "--fps", "inf"], ["run", "--fps", "0"]])
def test_frame_rate_must_be_positive_and_finite(argv: list[str], capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "argument --fps: must be a positive number of frames per second" in capfd.readouterr().err


def test_unreachable_stream_in_a_real_process() -> None:
    url = f"http://127.0.0.1:{closed_port()}/x.mjpg"
    proc = subprocess.run([sys.executable, "-m", "livecheck", "replay", url], check=False, capture_output=True,
                          text=True, timeout=30, env=ENV)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == f"livecheck: error: cannot reach {url}: connection refused\n"


# --- SIGINT / SIGTERM: out within a second, code 128+N, every line already printed complete ------

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_a_long_score_batch(tmp_path: Path, sig: int) -> None:
    first = photo(tmp_path / "p000.jpg")
    for i in range(1, 200):
        os.link(first, tmp_path / f"p{i:03d}.jpg")
    proc = start("score", "--json", "--no-models", str(tmp_path))
    assert proc.stdout is not None and proc.stderr is not None
    printed = [proc.stdout.readline() for _ in range(5)]
    sent = time.monotonic()
    proc.send_signal(sig)
    rest, err = read_to_exit(proc)
    assert time.monotonic() - sent < EXIT_TIME_S
    assert proc.returncode == 128 + sig
    assert "Traceback" not in err and err == ""
    text = "".join(printed) + rest
    assert text.endswith("\n")
    records = [json.loads(line) for line in text.splitlines()]  # every line complete
    assert 5 <= len(records) < 200, "stopped early"
    assert all("quality" in r for r in records)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_headless_run_of_the_demo(sig: int) -> None:
    proc = start("run", "--headless", "--no-models")
    assert proc.stderr is not None
    deadline = time.monotonic() + 20
    line = ""
    while "opened" not in line and time.monotonic() < deadline:
        line = proc.stderr.readline()
        assert line or proc.poll() is None, "run --headless ended before it started watching"
    time.sleep(0.3)  # some frames analysed
    sent = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=10)
    assert time.monotonic() - sent < EXIT_TIME_S
    assert proc.returncode == 128 + sig
    assert "Traceback" not in err
    assert err.splitlines()[-1].endswith(" dropped"), "the closing count was printed"
    assert all(" now: " in hint_line for hint_line in out.splitlines()), "hint lines are whole"


# --- missing, truncated and garbage model files ------------------------------------------------

MODEL_FILES = {ModelName.NIMA: [nima.MODEL_FILE], ModelName.DIQA: [diqa.MODEL_FILE],
               ModelName.BRISQUE: [brisque.MODEL_FILE, brisque.RANGE_FILE]}
SHIPPED = Path(str(resources.files("livecheck.weights")))


def broken_weights(folder: Path, how: str) -> Path:
    """A --weights-dir whose model files are all unusable; ``how``: garbage, truncated or missing."""
    folder.mkdir()
    rng = np.random.default_rng(8)
    for files in MODEL_FILES.values():
        for name in files:
            if how == "garbage":
                (folder / name).write_bytes(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
            elif how == "truncated" and (SHIPPED / name).is_file():  # files still being trained are missing
                data = (SHIPPED / name).read_bytes()
                (folder / name).write_bytes(data[: len(data) // 2])
    return folder


def check_model_warnings(err: str, how: str) -> None:
    assert "Traceback" not in err
    lines = err.splitlines()
    for model in ModelName:
        warned = [line for line in lines if line.startswith(f"livecheck: warning: model {model.value} unavailable")]
        assert len(warned) == 1, f"one warning for {model.value}: {err}"
    if how != "truncated":
        # a truncated .tflite gets past livecheck's own check into TFLite's native loader, which
        # prints its own "ERROR: ..." line: reported, not asserted here
        assert all(line.startswith("livecheck: ") for line in lines), err


@pytest.mark.parametrize("how", ["garbage", "truncated", "missing"])
def test_score_with_broken_model_files(tmp_path: Path, how: str) -> None:
    weights = broken_weights(tmp_path / "weights", how)
    image = photo(tmp_path / "p.jpg")
    proc = subprocess.run([sys.executable, "-m", "livecheck", "score", "--json", "--weights-dir", str(weights),
                           str(image)], check=False, capture_output=True, text=True, timeout=60, env=ENV)
    assert proc.returncode == 0, proc.stderr
    check_model_warnings(proc.stderr, how)
    (record,) = map(json.loads, proc.stdout.splitlines())
    assert record["metrics"] and "quality" in record and isinstance(record["hints"], list)
    assert set(record["models"]) == {m.value for m in ModelName}
    for model, files in MODEL_FILES.items():
        why = record["models"][model.value]["unavailable"]
        assert any(name in why for name in files), why


@pytest.mark.parametrize("pace", [True, False])
def test_replay_with_broken_model_files(tmp_path: Path, pace: bool) -> None:
    weights = broken_weights(tmp_path / "weights", "garbage")
    clip = write_video(tmp_path / "c.avi", 20, fps=50.0)
    out = tmp_path / "r.jsonl"
    proc = subprocess.run([sys.executable, "-m", "livecheck", "replay", str(clip), "--weights-dir", str(weights),
                           "--jsonl", str(out), *([] if pace else ["--no-pace"])],
                          check=False, capture_output=True, text=True, timeout=60, env=ENV)
    assert proc.returncode == 0, proc.stderr
    check_model_warnings(proc.stderr, "garbage")
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    frames = [line for line in lines if "frame" in line]
    summary = lines[-1]["summary"]
    assert len(frames) == summary["frames_analysed"] > 0
    assert not pace or summary["frames_analysed"] + summary["frames_dropped"] == 20
    assert all(f["metrics"] and isinstance(f["hints"], list) for f in frames)
    assert set(summary["unavailable_models"]) == {m.value for m in ModelName}
    assert summary["model_runs"] == {}
    if not pace:  # offline, the models are known to be missing before the first frame
        assert all(set(f["models"]) == {m.value for m in ModelName} for f in frames)


@pytest.mark.parametrize("argv", [["score", "--json", "--no-models", "{dir}"],
                                  ["replay", "{dir}", "--no-pace", "--no-models"]])
def test_reader_going_away_stops_quietly(tmp_path: Path, argv: list[str]) -> None:
    """`livecheck score --json DIR | head -1`: no error message, the SIGPIPE exit code."""
    first = photo(tmp_path / "p000.jpg")
    for i in range(1, 60):
        os.link(first, tmp_path / f"p{i:03d}.jpg")
    proc = start(*(a.format(dir=tmp_path) for a in argv))
    assert proc.stdout is not None and proc.stderr is not None
    json.loads(proc.stdout.readline())
    proc.stdout.close()  # the reader leaves
    err = proc.stderr.read()
    assert proc.wait(timeout=10) == 128 + signal.SIGPIPE
    assert "Traceback" not in err and "error" not in err and "Exception ignored" not in err
