"""The JSON contracts of `livecheck score` and `livecheck replay`, and their behaviour on bad input."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.cli import DEMO, run_json
from support.media import write_phone_clip

from livecheck.cli import main

SCORE_KEYS = {"path", "width", "height", "decode_scale", "hints", "blur_kind", "quality", "metrics", "models",
              "regions"}
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def textured(h: int = 240, w: int = 320, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = cv2.resize(rng.integers(0, 255, (h // 8, w // 8, 3), dtype=np.uint8), (w, h),
                     interpolation=cv2.INTER_CUBIC)
    cv2.rectangle(img, (w // 4, h // 4), (w // 2, h // 2), (250, 250, 250), -1)
    cv2.putText(img, "livecheck", (10, h - 20), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    return img


@pytest.fixture()
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    (folder / "sub").mkdir(parents=True)
    cv2.imwrite(str(folder / "sharp.png"), textured())
    cv2.imwrite(str(folder / "sub" / "dark.jpg"), (textured(seed=1) * 0.08).astype(np.uint8))
    (folder / "junk.jpg").write_text("not an image at all")
    (folder / "empty.png").write_bytes(b"")
    return folder


def test_score_json_contract_and_errors_do_not_stop_the_batch(photos: Path, capsys) -> None:
    rc, records, err = run_json(capsys, "score", "--json", "--no-models", str(photos))
    assert rc == 1  # two unreadable files
    by_name = {Path(r["path"]).name: r for r in records}
    assert set(by_name) == {"sharp.png", "dark.jpg", "junk.jpg", "empty.png"}
    for name in ("sharp.png", "dark.jpg"):
        record = by_name[name]
        assert set(record) == SCORE_KEYS
        assert (record["width"], record["height"]) == (320, 240)
        assert 0 <= record["quality"] <= 100
        assert all(isinstance(v, float | int) for v in record["metrics"].values())
        assert record["models"] == {}
    assert "too_dark" in by_name["dark.jpg"]["hints"]
    assert "too_dark" not in by_name["sharp.png"]["hints"]
    assert by_name["sharp.png"]["quality"] > by_name["dark.jpg"]["quality"]
    for name in ("junk.jpg", "empty.png"):
        assert set(by_name[name]) == {"path", "error"}
        assert by_name[name]["error"]
    err_lines = [line for line in err.splitlines() if line.strip()]
    assert len(err_lines) == 2 and all(line.startswith("livecheck: ") for line in err_lines)
    assert "Traceback" not in err


def test_score_all_good_exits_zero_and_table_is_readable(photos: Path, capsys) -> None:
    assert main(["score", "--no-models", str(photos / "sharp.png")]) == 0
    out = capsys.readouterr().out
    assert "sharp.png" in out and "quality" in out


def test_score_missing_path_and_glob_that_matches_nothing(tmp_path: Path, capsys) -> None:
    rc, records, err = run_json(capsys, "score", "--json", "--no-models",
                                str(tmp_path / "nope.jpg"), str(tmp_path / "*.png"))
    assert rc == 1
    assert [set(r) for r in records] == [{"path", "error"}, {"path", "error"}]
    assert "Traceback" not in err


def test_replay_json_lines_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    assert main(["replay", str(DEMO), "--no-pace", "--no-models", "--jsonl", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    frames = [line for line in lines if "frame" in line]
    events = [line["event"] for line in lines if "event" in line]
    summary = lines[-1]["summary"]
    assert events == ["opened", "ended"]
    for line in frames[:5]:
        assert {"frame", "t", "hints", "metrics"} <= set(line)
        assert isinstance(line["hints"], list)
    assert summary["frames_captured"] == summary["frames_analysed"] == len(frames)
    assert summary["frames_dropped"] == 0
    assert {"latency_p50_ms", "latency_p99_ms", "model_runs"} <= set(summary)
    assert summary["hint_episodes"].keys() >= {"blurry", "too_dark", "too_bright", "noisy"}


@pytest.mark.parametrize("argv, message", [
    (["replay", "does-not-exist.mp4"], "does-not-exist.mp4"),
    (["replay", "-1"], "-1"),
    (["run", "--headless", "--source", "0"], "camera"),
    (["score", "--set", "no_such_threshold=3", "x.png"], "no_such_threshold"),
    (["score", "--disable", "sleepy", "x.png"], "sleepy"),
])
def test_user_errors_are_one_line_without_traceback(argv: list[str], message: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "livecheck", *argv, "--no-models"],
                          capture_output=True, text=True, timeout=60, env=ENV)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert message in proc.stderr
    assert len([line for line in proc.stderr.splitlines() if "error" in line]) == 1


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_replay_exits_fast_and_leaves_complete_lines(tmp_path: Path, sig: int) -> None:
    out = tmp_path / "r.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "livecheck", "replay", str(DEMO), "--jsonl", str(out)],
                            stderr=subprocess.PIPE, text=True, env=ENV)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 20):
        time.sleep(0.05)
    t0 = time.monotonic()
    proc.send_signal(sig)
    proc.wait(timeout=5)
    assert time.monotonic() - t0 < 1.0
    assert proc.returncode == 128 + sig
    assert "Traceback" not in proc.stderr.read()
    text = out.read_text()
    assert text.endswith("\n")
    lines = [json.loads(line) for line in text.splitlines()]  # every line complete
    summary = lines[-1]["summary"]
    assert summary["interrupted"] is True
    frames = [line["frame"] for line in lines if "frame" in line]
    assert frames == sorted(frames)
    assert summary["frames_analysed"] == len(frames)


def test_replay_analyses_a_portrait_phone_clip_upright(tmp_path: Path) -> None:
    clip = write_phone_clip(tmp_path / "portrait.mov", 90)  # stored 320x240, shown 240x320
    out = tmp_path / "r.jsonl"
    assert main(["replay", str(clip), "--no-pace", "--models", "brisque", "--jsonl", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines[0] == {"event": "opened",
                        "message": "video portrait.mov (240x320 @ 25 fps, 10 frames, turned 90° upright)"}
    frames = [line for line in lines if "frame" in line]
    assert len(frames) == 10 and all("score" in line["models"]["brisque"] for line in frames)


def test_score_decodes_a_big_jpeg_only_as_large_as_its_view(tmp_path: Path, capsys) -> None:
    path = tmp_path / "big.jpg"
    blurred = cv2.GaussianBlur(cv2.resize(textured(), (4000, 3000), interpolation=cv2.INTER_CUBIC), (0, 0), 5.0)
    cv2.imwrite(str(path), blurred, [cv2.IMWRITE_JPEG_QUALITY, 92])
    records = {}
    for label, extra in (("view", ()), ("full", ("--full-resolution",)), ("native", ("--view-size", "0"))):
        rc, (record,), _ = run_json(capsys, "score", "--json", "--no-models", *extra, str(path))
        assert rc == 0
        records[label] = record
    assert {k: r["decode_scale"] for k, r in records.items()} == {"view": 0.5, "full": 1.0, "native": 1.0}
    assert all((r["width"], r["height"]) == (4000, 3000) for r in records.values())
    # judged at the same viewing scale, the half-size decode sees what the full one sees
    assert "blurry" in records["view"]["hints"] and records["view"]["hints"] == records["full"]["hints"]
    assert abs(records["view"]["metrics"]["sharpness"] - records["full"]["metrics"]["sharpness"]) < 0.15
