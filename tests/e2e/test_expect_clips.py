"""`replay --expect` and `check --expect` on clips with scripted defects, made at test time.

Each clip holds one photo through five 2-second stretches: sharp, Gaussian-blurred, dark, noisy,
sharp again. The true timeline names those stretches and must pass, one JUnit testcase per window;
the same timeline shifted by a second must fail (exit 1, failures in the XML); and `livecheck
check` on the replay's recorded JSON lines must give the same verdict, line for line and in the XML.
One clip is made from a real photo of ../shared/data (skipped where it is absent), one from a
synthetic picture, always. Last, the README's example timeline must fit and pass the demo clip.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import cv2
import numpy as np
import pytest

from livecheck.cli import main
from livecheck.dev import shared_root
from livecheck.expect import load_timeline

SHARED = shared_root() / "data"
ASSETS = resources.files("livecheck.assets")
REAL_PHOTO = (SHARED / "real_hr" / "sharp"
              / "SfM_quality_evaluation__Benchmarking_Camera_Calibration_2008_castle-P30_images_0000.jpg")
FPS = 15
SEGMENT_S = 2
SCRIPT = ("none", "blurry", "too_dark", "noisy", "none")  # what each stretch should show
TRUE_TIMELINE = "start,end,expect\n" + "".join(
    f"{i * SEGMENT_S},{(i + 1) * SEGMENT_S},{expect}\n" for i, expect in enumerate(SCRIPT))
SHIFTED_TIMELINE = "start,end,expect\n0,3,none\n3,5,blurry\n5,7,too_dark\n7,9,noisy\n9,10,none\n"


def scripted_clip(image: np.ndarray, path: Path) -> Path:
    """The five stretches of ``image`` as an mp4v clip at FPS (noise drawn afresh every frame)."""
    rng = np.random.default_rng(0)
    blurred = cv2.GaussianBlur(image, (0, 0), 4)
    dark = (image * 0.15).astype(np.uint8)
    noise = [np.clip(image + rng.normal(0, 14, image.shape), 0, 255).astype(np.uint8) for _ in range(5)]
    frames = {"none": [image], "blurry": [blurred], "too_dark": [dark], "noisy": noise}
    height, width = image.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (width, height))
    assert writer.isOpened()
    for expect in SCRIPT:
        for i in range(SEGMENT_S * FPS):
            writer.write(frames[expect][i % len(frames[expect])])
    writer.release()
    return path


def synthetic_image(h: int = 360, w: int = 480) -> np.ndarray:
    """Flat colours, hard edges and text: sharp and clean to the fast checks until the script says."""
    img = np.full((h, w, 3), (150, 120, 90), np.uint8)
    for x in range(0, w, 40):
        cv2.rectangle(img, (x, 0), (x + 19, h // 3), (30, 60, 200), -1)
    for k, (x, y) in enumerate([(100, 200), (240, 230), (380, 200)]):
        cv2.circle(img, (x, y), 50, (60 + 60 * k, 200, 250 - 70 * k), -1)
    cv2.rectangle(img, (300, 130), (460, 170), (240, 240, 240), -1)
    cv2.putText(img, "expect", (310, 162), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    cv2.putText(img, "livecheck 1234", (20, h - 30), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (20, 20, 20), 3)
    return img


def real_image() -> np.ndarray:
    if not REAL_PHOTO.is_file():
        pytest.skip(f"../shared is absent here ({REAL_PHOTO} not found)")
    image = cv2.imread(str(REAL_PHOTO))
    return cv2.resize(image, (960, 640), interpolation=cv2.INTER_AREA)  # 3072x2048, 3:2 kept


@dataclass(frozen=True)
class Run:
    rc: int
    report: list[str]
    junit: ET.Element
    junit_bytes: bytes


def replay(clip: Path, timeline: Path, tmp: Path, capsys: pytest.CaptureFixture[str], jsonl: Path) -> Run:
    xml = tmp / f"{timeline.stem}-replay.xml"
    rc = main(["replay", str(clip), "--no-pace", "--no-models", "--jsonl", str(jsonl),
               "--expect", str(timeline), "--junit", str(xml)])
    err = capsys.readouterr().err.splitlines()
    report = [line for line in err if not line.startswith("livecheck: ")]
    return Run(rc, report, ET.parse(xml).getroot(), xml.read_bytes())


def check(jsonl: Path, timeline: Path, tmp: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    xml = tmp / f"{timeline.stem}-check.xml"
    rc = main(["check", str(jsonl), "--expect", str(timeline), "--junit", str(xml)])
    return Run(rc, capsys.readouterr().out.splitlines(), ET.parse(xml).getroot(), xml.read_bytes())


@pytest.mark.parametrize("image", [synthetic_image, real_image], ids=["synthetic", "real_photo"])
def test_true_timeline_passes_shifted_fails_and_check_agrees(image, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    clip = scripted_clip(image(), tmp_path / "clip.mp4")
    true, shifted = tmp_path / "true.csv", tmp_path / "shifted.csv"
    true.write_text(TRUE_TIMELINE)
    shifted.write_text(SHIFTED_TIMELINE)
    jsonl = tmp_path / "run.jsonl"

    passed = replay(clip, true, tmp_path, capsys, jsonl)
    assert passed.rc == 0, "\n".join(passed.report)
    cases = passed.junit.findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == ["0-2 none", "2-4 blurry", "4-6 too_dark", "6-8 noisy", "8-10 none"]
    assert passed.junit.get("tests") == "5" and passed.junit.get("failures") == "0"
    assert not passed.junit.findall(".//failure")
    assert passed.report[-1].startswith("expect: 5 of 5 windows passed, 0 failed")

    failed = replay(clip, shifted, tmp_path, capsys, tmp_path / "shifted-run.jsonl")
    assert failed.rc == 1
    failures = {c.get("name"): c.find("failure") for c in failed.junit.findall("testsuite/testcase")}
    assert [name for name, f in failures.items() if f is None] == ["9-10 none"]
    assert failed.junit.get("failures") == "4"
    for failure in (f for f in failures.values() if f is not None):
        assert failure.get("message").startswith("expectation met on ")
        assert "measured: coverage " in failure.text and "reaction " in failure.text

    # the recorded run, judged again without replaying: the same verdict, to the byte
    for timeline, run, rc in ((true, passed, 0), (shifted, failed, 1)):
        recorded = jsonl if timeline is true else tmp_path / "shifted-run.jsonl"
        again = check(recorded, timeline, tmp_path, capsys)
        assert (again.rc, again.report, again.junit_bytes) == (rc, run.report, run.junit_bytes)


def test_replay_times_are_the_clips_media_time_paced_or_not(make_clip: Callable[..., Path],
                                                            tmp_path: Path) -> None:
    """The judgement reads `t`: frame index / the clip's frame rate, whatever the pace."""
    clip = make_clip(25, fps=25.0)
    for pace in ([], ["--no-pace"]):
        out = tmp_path / f"run{len(pace)}.jsonl"
        assert main(["replay", str(clip), *pace, "--no-models", "--jsonl", str(out)]) == 0
        frames = [r for r in map(json.loads, out.read_text().splitlines()) if "frame" in r]
        assert frames and all(r["t"] == round(r["frame"] / 25, 4) for r in frames)


def test_the_example_timeline_is_the_demo_clips_script_and_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """assets/demo_timeline.csv (the README's example): the defects of assets/demo.json, and
    `none` between them clear of the fades."""
    timeline = Path(str(ASSETS / "demo_timeline.csv"))
    script = json.loads((ASSETS / "demo.json").read_text())
    windows = load_timeline(timeline, grace=0.5)
    defects = [(w.start, w.end, w.expect) for w in windows if w.hints]
    assert defects == [(s["start_s"], s["end_s"], s["hint"]) for s in script["segments"]]
    ramp = script["ramp_s"]
    edges = [0.0] + [t for s in script["segments"] for t in (s["start_s"] - ramp, s["end_s"] + ramp)]
    edges.append(script["frames"] / script["fps"])
    clean = [(w.start, w.end) for w in windows if not w.hints]
    assert clean == [(round(a, 4), round(b, 4)) for a, b in zip(edges[::2], edges[1::2], strict=True)]

    rc = main(["replay", str(ASSETS / "demo.mp4"), "--no-pace", "--no-models", "--jsonl", "/dev/null",
               "--expect", str(timeline)])
    report = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("livecheck: ")]
    assert rc == 0, "\n".join(report)
    assert report[-1].startswith("expect: 9 of 9 windows passed")
