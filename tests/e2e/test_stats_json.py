"""`--stats-json`: the same documented keys from the offscreen app, `run --headless` and `replay`,
with figures that agree with what the run did (counts add up, stages were measured)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from livecheck.cli import main
from livecheck.runstats import STATS_KEYS
from livecheck.timing import StageTimes

DEMO = Path(str(resources.files("livecheck.assets") / "demo.mp4"))
PIPELINE_STAGES = {"queue", "checks", "checks_off_cpu", "hints", "capture_to_hint"}
GUI_STAGES = {"gui_handover", "gui_convert", "gui_paint", "capture_to_screen"}


def _load(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") == 1  # one JSON object, one line
    stats = json.loads(text)
    assert tuple(stats) == STATS_KEYS
    return stats


def _check_pipeline_figures(stats: dict) -> None:
    assert stats["frames_analysed"] > 0
    assert stats["frames_captured"] == stats["frames_analysed"] + stats["frames_dropped"]
    assert 0 < stats["hint_latency_p50_ms"] <= stats["hint_latency_p99_ms"]
    assert PIPELINE_STAGES <= set(stats["stages_ms"])
    assert stats["stages_ms"]["capture_to_hint"]["n"] == stats["frames_analysed"]


def test_replay_writes_the_documented_keys_with_null_display_figures(tmp_path: Path) -> None:
    out = tmp_path / "stats.json"
    assert main(["replay", str(DEMO), "--no-pace", "--no-models", "--jsonl", str(tmp_path / "r.jsonl"),
                 "--stats-json", str(out)]) == 0
    stats = _load(out)
    _check_pipeline_figures(stats)
    assert stats["frames_dropped"] == 0  # unpaced: lossless
    for key in ("frames_shown", "frames_display_skipped", "screen_latency_p50_ms", "max_stall_ms",
                "startup_max_stall_ms", "first_frame_s"):
        assert stats[key] is None
    assert stats["model_runs"] == {}
    summary = json.loads((tmp_path / "r.jsonl").read_text().splitlines()[-1])["summary"]
    assert summary["frames_analysed"] == stats["frames_analysed"]
    assert "stages_ms" in summary


def test_headless_run_writes_the_same_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "stats.json"
    assert main(["run", "--headless", "--source", str(DEMO), "--fps", "200", "--no-models",
                 "--stats-json", str(out)]) == 0
    stats = _load(out)
    _check_pipeline_figures(stats)
    assert stats["frames_shown"] is None


def test_unwritable_stats_file_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "no-such-dir" / "stats.json"
    rc = main(["replay", str(DEMO), "--no-pace", "--no-models", "--jsonl", str(tmp_path / "r.jsonl"),
               "--stats-json", str(bad)])
    assert rc == 1
    err = capsys.readouterr().err
    assert "cannot write --stats-json" in err and "Traceback" not in err


@pytest.mark.slow
def test_offscreen_app_writes_display_figures_on_exit(tmp_path: Path) -> None:
    """The app as a user runs it, with every model: the display half of the object is filled in."""
    out = tmp_path / "stats.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-m", "livecheck", "run", "--source", str(DEMO), "--hud",
         "--screenshot", str(tmp_path / "shot.png"), "--after", "3", "--stats-json", str(out)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=90,
    )
    assert proc.returncode == 0, proc.stderr
    stats = _load(out)
    _check_pipeline_figures(stats)
    assert 0 < stats["frames_shown"] <= stats["frames_analysed"]
    assert stats["frames_display_skipped"] >= 0
    assert stats["frames_shown"] + stats["frames_display_skipped"] <= stats["frames_analysed"]
    assert 0 < stats["screen_latency_p50_ms"] <= stats["screen_latency_p99_ms"]
    assert stats["hint_latency_p50_ms"] <= stats["screen_latency_p50_ms"]  # the screen comes after the hint
    assert 0 < stats["first_frame_s"] < 30
    assert stats["max_stall_ms"] >= 0 and stats["startup_max_stall_ms"] >= 0
    assert GUI_STAGES <= set(stats["stages_ms"])
    assert stats["stages_ms"]["capture_to_screen"]["n"] == stats["frames_shown"]
    assert set(stats["model_runs"]) == {"nima", "diqa", "brisque"}


def test_stage_times_keep_the_newest_samples_and_summarise_them() -> None:
    times = StageTimes(window=4)
    for value in range(10):
        times.add("a", float(value))
    times.add_many([("b", 1.0), ("b", 3.0)])
    assert times.count("a") == 10  # every sample counted, only the newest 4 kept
    assert times.samples("a").tolist() == [6.0, 7.0, 8.0, 9.0]
    assert times.samples("a", last=2).tolist() == [8.0, 9.0]
    assert times.percentiles("a", (50.0,)) == (7.5,)
    assert times.percentiles("missing") == (0.0, 0.0)
    summary = times.summary()
    assert summary["b"] == {"p50": 2.0, "p99": 2.98, "max": 3.0, "n": 2}
    assert np.isclose(summary["a"]["max"], 9.0)
