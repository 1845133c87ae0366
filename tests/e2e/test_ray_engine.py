"""`--engine ray`: the same records as the local run, byte for byte in metrics and hints.

One local Ray cluster serves the whole module (its start-up is the slow part): it runs in a helper
process of its own, so no Ray thread or signal handler enters the test process, and each CLI run
joins it with --ray-address, as a run on a real cluster does: with token authentication, whose
token the module makes up and hands to both sides in the environment (none is written to disk).
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

import livecheck
from livecheck.cli import main

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO), "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
CLUSTER = """
import sys, ray
context = ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
                   object_store_memory=128 * 1024 * 1024)
where = ray.get(ray.remote(lambda: __import__("livecheck").__file__).remote())
print(context.address_info["address"], where, flush=True)
sys.stdin.read()  # until the test module closes our stdin
ray.shutdown()
"""
DETERMINISTIC_SUMMARY = ("frames_captured", "frames_analysed", "frames_dropped", "frames_corrupt_skipped",
                         "model_runs", "model_failures", "hint_episodes", "hint_seconds", "unavailable_models",
                         "source")
"""The summary's keys that do not depend on how fast the machine was (latencies, fps and stage times do)."""


@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    pytest.importorskip("ray.data", reason="Ray is not installed (the livecheck[cluster] extra)")
    helper = subprocess.Popen([sys.executable, "-c", CLUSTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, env=ENV)
    try:
        address, where = helper.stdout.readline().split()
        # the workers must run this checkout, or the comparison below would prove nothing
        assert Path(where).resolve() == Path(livecheck.__file__).resolve()
        yield address
    finally:
        helper.stdin.close()
        helper.wait(timeout=60)


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "livecheck", *argv], capture_output=True, text=True,
                          timeout=240, env=ENV, check=False)


def _ours(stderr: str) -> list[str]:
    """livecheck's own stderr lines (Ray adds notes of its own)."""
    return [line for line in stderr.splitlines() if line.startswith("livecheck:")]


def _photo(path: Path, seed: int, height: int, width: int, gain: float = 1.0) -> Path:
    rng = np.random.default_rng(seed)
    image = cv2.resize(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8), (width, height),
                       interpolation=cv2.INTER_CUBIC)
    cv2.imwrite(str(path), (image * gain).astype(np.uint8))
    return path


def _clip(path: Path, seed: int, gain: float) -> Path:
    """25 frames at 10 fps, a texture panning, dimmed by ``gain`` from the tenth frame on."""
    rng = np.random.default_rng(seed)
    base = cv2.resize(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8), (320, 240), interpolation=cv2.INTER_CUBIC)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    for i in range(25):
        writer.write((np.roll(base, 3 * i, axis=1) * (gain if i >= 10 else 1.0)).astype(np.uint8))
    writer.release()
    return path


def test_score_on_ray_prints_the_local_records_byte_for_byte(ray_address: str, tmp_path: Path) -> None:
    big = _photo(tmp_path / "big.jpg", 0, 1200, 1600)
    small = [_photo(tmp_path / f"s{i}.png", i, 240, 320, gain) for i, gain in ((1, 1.0), (2, 0.1), (3, 1.0))]
    (tmp_path / "junk.jpg").write_bytes(b"not a picture")
    specs = [str(big), str(tmp_path / "junk.jpg"), str(tmp_path / "none-*.jpg"), *map(str, small)]
    local = _run("score", "--json", "--jobs", "1", *specs)
    ray = _run("score", "--json", "--engine", "ray", "--ray-address", ray_address, *specs)
    assert local.returncode == ray.returncode == 1, ray.stderr  # the junk file and the empty glob
    assert ray.stdout == local.stdout
    assert _ours(ray.stderr) == _ours(local.stderr)
    records = [json.loads(line) for line in ray.stdout.splitlines()]
    assert [Path(r["path"]).name for r in records] == ["big.jpg", "junk.jpg", "none-*.jpg", "s1.png", "s2.png",
                                                       "s3.png"]
    assert [("error" in r) for r in records] == [False, True, True, False, False, False]
    assert "too_dark" in records[4]["hints"]
    assert set(records[0]["models"]) == {"nima", "diqa", "brisque"}
    assert all("error" not in m and "unavailable" not in m for m in records[0]["models"].values())


def _comparable(stdout: str) -> list[dict[str, Any]]:
    """Replay lines without what measures the machine's speed (latencies, ages, rates)."""
    lines = []
    for line in map(json.loads, stdout.splitlines()):
        if "frame" in line:
            del line["latency_ms"]
            for model in line.get("models", {}).values():
                del model["age_ms"]
        elif "summary" in line:
            line = {"summary": {k: line["summary"][k] for k in DETERMINISTIC_SUMMARY}}
        lines.append(line)
    return lines


def test_replay_on_ray_gives_each_clip_its_local_no_pace_lines_in_input_order(ray_address: str,
                                                                              tmp_path: Path) -> None:
    clips = [str(_clip(tmp_path / "bright.avi", 1, 1.0)), str(tmp_path / "missing.avi"),
             str(_clip(tmp_path / "dim.avi", 2, 0.12))]
    alone = [_run("replay", "--no-pace", clip) for clip in (clips[0], clips[2])]
    assert [r.returncode for r in alone] == [0, 0]
    batch = _run("replay", "--no-pace", *clips)
    ray = _run("replay", "--engine", "ray", "--ray-address", ray_address, *clips)
    assert batch.returncode == ray.returncode == 1, ray.stderr  # the missing clip
    missing = {"source": clips[1], "error": f"no such file: {clips[1]}"}
    expected = _comparable(alone[0].stdout) + [missing] + _comparable(alone[1].stdout)
    assert _comparable(batch.stdout) == expected
    assert _comparable(ray.stdout) == expected
    summaries = [line["summary"] for line in expected if "summary" in line]
    assert [s["source"] for s in summaries] == [clips[0], clips[2]]
    assert [s["frames_analysed"] for s in summaries] == [25, 25]
    assert "too_dark" in summaries[1]["hint_episodes"]
    assert sum(s["model_runs"]["nima"] for s in summaries) > 0
    assert _ours(ray.stderr).count(f"livecheck: {clips[1]}: no such file: {clips[1]}") == 1


def test_engine_ray_without_ray_says_which_extra_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    photo = _photo(tmp_path / "p.png", 0, 120, 160)
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    for command in (["score", "--json"], ["replay"]):
        assert main([*command, "--engine", "ray", str(photo)]) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err == "livecheck: error: --engine ray needs Ray: pip install 'livecheck[cluster]'\n"


def test_ray_address_needs_the_ray_engine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = _photo(tmp_path / "p.png", 0, 120, 160)
    assert main(["score", "--json", "--ray-address", "localhost:6379", str(photo)]) == 2
    assert capsys.readouterr().err == "livecheck: error: --ray-address needs --engine ray\n"


def test_options_of_one_clip_are_refused_for_a_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = str(_clip(tmp_path / "c.avi", 0, 1.0))
    for option, value in (("--stats-json", "s.json"), ("--expect", "t.csv"), ("--thumbs", "thumbs")):
        assert main(["replay", clip, clip, option, str(tmp_path / value)]) == 2
        assert capsys.readouterr().err == f"livecheck: error: {option} takes one clip, not a batch\n"
    assert not any(tmp_path.glob("s.json")) and not (tmp_path / "thumbs").exists()
