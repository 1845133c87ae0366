"""The bundled demo clip: each scripted defect raises its hint inside its window, and only there."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from livecheck.cli import main

ASSETS = resources.files("livecheck.assets")
# How late a hint may come on or clear: the ramp in, the debounce delays and a frame or two.
SETTLE_S = 1.5


@pytest.fixture(scope="module")
def replay_lines(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    out = tmp_path_factory.mktemp("demo") / "demo.jsonl"
    rc = main(["replay", str(ASSETS / "demo.mp4"), "--no-pace", "--no-models", "--jsonl", str(out)])
    assert rc == 0
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.fixture(scope="module")
def script() -> dict:
    return json.loads((ASSETS / "demo.json").read_text())


def test_every_frame_is_analysed_once_in_order(replay_lines: list[dict], script: dict) -> None:
    frames = [line["frame"] for line in replay_lines if "frame" in line]
    assert frames == list(range(script["frames"]))
    summary = replay_lines[-1]["summary"]
    assert summary["frames_analysed"] == script["frames"]
    assert summary["frames_dropped"] == 0


@pytest.mark.parametrize("segment", json.loads((ASSETS / "demo.json").read_text())["segments"],
                         ids=lambda s: s["name"])
def test_hint_fires_inside_its_window_and_is_quiet_outside(replay_lines: list[dict], script: dict,
                                                           segment: dict) -> None:
    ramp = script["ramp_s"]
    frames = [line for line in replay_lines if "frame" in line]
    inside = [f for f in frames if segment["start_s"] + SETTLE_S <= f["t"] <= segment["end_s"]]
    assert inside, "segment shorter than the settle time"
    on_share = sum(segment["hint"] in f["hints"] for f in inside) / len(inside)
    assert on_share == 1.0, f"{segment['hint']} on for only {on_share:.0%} of its window"
    outside = [f for f in frames
               if f["t"] < segment["start_s"] - ramp or f["t"] > segment["end_s"] + ramp + SETTLE_S]
    late = [f["t"] for f in outside if segment["hint"] in f["hints"]]
    assert not late, f"{segment['hint']} shown outside its window at t={late[:5]}"


def test_clean_stretches_show_no_hint(replay_lines: list[dict], script: dict) -> None:
    ramp = script["ramp_s"]
    windows = [(s["start_s"] - ramp, s["end_s"] + ramp + SETTLE_S) for s in script["segments"]]
    frames = [line for line in replay_lines if "frame" in line]
    clean = [f for f in frames if not any(a <= f["t"] <= b for a, b in windows)]
    assert len(clean) > script["fps"] * 5
    noisy = [(f["t"], f["hints"]) for f in clean if f["hints"]]
    assert not noisy, f"hints on clean footage: {noisy[:5]}"


def test_demo_clip_is_small() -> None:
    assert Path(str(ASSETS / "demo.mp4")).stat().st_size < 6_000_000
