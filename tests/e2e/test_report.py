"""`livecheck report`: replay and score records -> one self-contained HTML page, checked as text
and, where Chromium is installed, as a real browser draws it."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

import livecheck.report
from livecheck.cli import main
from livecheck.cli.options import demo_clip
from livecheck.expect.timeline import load_timeline
from livecheck.hint import HINT_SPECS, Hint
from livecheck.report.html import hint_changes
from livecheck.report.plots import MAX_POINTS, thin
from livecheck.report.records import ReplayRun, read_records
from livecheck.report.thumbs import THUMB_SIDE, thumb_name

# The demo clip's scripted defects (assets/demo.json) as an expected-hint timeline.
TIMELINE = """start,end,expect
0,4,none
4,7,blurry
10,13,too_dark
15.5,18.5,too_bright
21.5,24.5,noisy
"""


def frame_line(frame: int, t: float, hints: list[str], **extra: object) -> str:
    record = {"frame": frame, "t": t, "hints": hints, "frame_hints": hints, "quality": 80.0,
              "latency_ms": 1.0, "metrics": {"sharpness": 3.0, "mean_luma": 120.0, "p05": 20.0, "p95": 220.0,
                                             "luma_noise": 0.5, "colour_noise": 0.2}}
    record.update(extra)
    return json.dumps(record)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The demo clip replayed with every model and --thumbs: (JSON lines, thumbs folder, timeline)."""
    folder = tmp_path_factory.mktemp("demo")
    jsonl, thumbs, timeline = folder / "run.jsonl", folder / "thumbs", folder / "timeline.csv"
    assert main(["replay", str(demo_clip()), "--no-pace", "--jsonl", str(jsonl), "--thumbs", str(thumbs)]) == 0
    timeline.write_text(TIMELINE)
    return jsonl, thumbs, timeline


@pytest.fixture(scope="module")
def demo_report(demo_run: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    jsonl, thumbs, timeline = demo_run
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["report", str(jsonl), "-o", str(out), "--expect", str(timeline), "--thumbs", str(thumbs)]) == 0
    return out


def read_run(jsonl: Path) -> ReplayRun:
    with jsonl.open("rb") as f:
        run = read_records(f, jsonl.name)
    assert isinstance(run, ReplayRun)
    return run


def test_replay_thumbs_are_the_frames_where_the_hints_changed(demo_run: tuple[Path, Path, Path]) -> None:
    jsonl, thumbs, _ = demo_run
    frames = [json.loads(line) for line in jsonl.read_text().splitlines() if '"frame"' in line]
    changed = [f["frame"] for i, f in enumerate(frames) if i == 0 or f["hints"] != frames[i - 1]["hints"]]
    assert len(changed) >= 9  # each of the 4 scripted defects comes on and clears, after the first frame
    assert sorted(p.name for p in thumbs.iterdir()) == [thumb_name(n) for n in changed]
    picture = cv2.imread(str(thumbs / thumb_name(changed[1])))
    assert max(picture.shape[:2]) == THUMB_SIDE  # the 480x320 clip, shrunk
    assert [c.frame.frame for c in hint_changes(read_run(jsonl).frames)] == changed


def test_replay_report_is_one_self_contained_page(demo_run: tuple[Path, Path, Path], demo_report: Path) -> None:
    page = demo_report.read_text()
    assert "<script" not in page and "<link" not in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert sources and all(s.startswith("data:image/jpeg;base64,") for s in sources)
    assert len(sources) == len(list(demo_run[1].iterdir()))  # one picture per hint change
    assert 'id="timeline"><svg' in page and 'id="models"><svg' in page
    for hint in Hint:  # a band row per hint, named by its badge title
        assert f">{HINT_SPECS[hint].title}</text>" in page
    for label in ("blurry", "too_dark", "too_bright", "noisy", "none"):  # the expected windows' labels
        assert f">{label}</text>" in page
    for text in ("NIMA mean", "DIQA", "BRISQUE", "frames analysed", "capture_to_hint"):
        assert text in page
    assert not re.search(r"(href|src)=\"https?:", page)


def test_report_of_scored_photos_from_stdin(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    sharp = (rng.random((240, 320, 3)) * 255).astype(np.uint8)
    cv2.imwrite(str(tmp_path / "sharp.png"), sharp)
    cv2.imwrite(str(tmp_path / "dark.png"), (sharp // 12).astype(np.uint8))
    (tmp_path / "broken.jpg").write_bytes(b"not a picture")
    assert main(["score", "--json", "--no-models", "--jobs", "1", str(tmp_path)]) == 1
    records = capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(records.encode())))
    out = tmp_path / "photos.html"
    assert main(["report", "-", "-o", str(out)]) == 0
    page = out.read_text()
    by_quality = sorted((json.loads(r) for r in records.splitlines() if "quality" in r), key=lambda r: -r["quality"])
    names = re.findall(r'<div class="name" title="[^"]*">([^<]*)</div>', page)
    assert names == [Path(r["path"]).name for r in by_quality] + ["broken.jpg"]
    assert len(re.findall(r'<img src="data:image/jpeg;base64,', page)) == 2
    assert "Too dark</span>" in page and "not an image" in page
    assert 'id="overview"><svg' in page


@pytest.mark.parametrize(("content", "message"), [
    (b"", "run.jsonl: empty"),
    (b"\n\n", "run.jsonl: empty"),
    (b'{"frame":0,"t":0,"hints":[]}\n{"frame":1,"t":0.04,"hints":[]}\n{"frame": 2, "t":\n', "run.jsonl:3: not JSON"),
    (b'{"frame":0,"t":0,"hints":[]}\n[1, 2]\n', "run.jsonl:2: a JSON list, not an object"),
    (b'{"frame":0,"t":"soon","hints":[]}\n', "run.jsonl:1: `t` is \"soon\", not a finite number"),
    (b'{"frame":0,"t":0,"hints":"blurry"}\n', "run.jsonl:1: `hints`"),
    (b'{"frame":0,"t":0,"hints":[]}\n{"path":"a.jpg","hints":[]}\n', "run.jsonl:2: a `livecheck score` record"),
    (b'{"hello":"world"}\n', "run.jsonl:1: not a livecheck replay or score record (keys: hello)"),
    (b'{"summary":{}}\n', "run.jsonl: no frame records"),
    (b'{"frame":0,"t":0,"hints":[]}\n\x89PNG\xff\xfe\n', "run.jsonl:2: not UTF-8 text"),
])
def test_bad_records_are_one_line_with_the_line_number(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       content: bytes, message: str) -> None:
    run = tmp_path / "run.jsonl"
    run.write_bytes(content)
    assert main(["report", str(run), "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "r.html").exists()


def test_unreadable_records_file_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.jsonl" in err


def test_missing_metrics_and_failed_models_are_drawn_without_them(tmp_path: Path) -> None:
    lines = [
        frame_line(0, 0.0, [], models={"nima": {"mean": 6.0, "std": 1.0, "seq": 0, "age_ms": 0.0},
                                       "diqa": {"unavailable": "no model file"}}),
        frame_line(1, 0.5, ["noisy"], metrics={"sharpness": 2.5},
                   models={"nima": {"error": "gave NaN", "seq": 1, "age_ms": 0.0}}),
        frame_line(2, 1.0, ["noisy"], quality=None, metrics=None),
        '{"summary":{"frames_analysed":3}}',
    ]
    run = read_records(lines, "synthetic")
    assert isinstance(run, ReplayRun)
    assert run.frames[1].metrics == {"sharpness": 2.5} and run.frames[2].metrics == {}
    assert run.frames[1].models["nima"].error == "gave NaN" and not run.frames[1].models["nima"].values
    records = tmp_path / "run.jsonl"
    records.write_text("\n".join(lines) + "\n")
    out = tmp_path / "r.html"
    assert main(["report", str(records), "-o", str(out)]) == 0
    page = out.read_text()
    assert "diqa: unavailable (no model file)" in page
    assert "nima: failed results on 1 frames" in page
    assert 'id="models"><svg' in page  # nima's one good score is still drawn


def test_expected_windows_reader(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.csv"
    good.write_text("start,end,expect\n0,2,none\n\n2,5,blurry+too_dark\n")
    windows = load_timeline(good, grace=0.0)  # the one timeline parser, as `replay --expect` uses it
    assert [(w.start, w.end, w.expect) for w in windows] == [(0, 2, "none"), (2, 5, "blurry+too_dark")]
    run = tmp_path / "run.jsonl"
    run.write_text(frame_line(0, 0.0, []) + "\n")
    for text, where in [("begin,end,expect\n0,1,none\n", "bad.csv:1: "),
                        ("start,end,expect\n0,1,none\n1,2,fuzzy\n", "bad.csv:3: "),
                        ("start,end,expect\n3,1,none\n", "bad.csv:2: "),
                        ("start,end,expect\n0,1\n", "bad.csv:2: ")]:
        (tmp_path / "bad.csv").write_text(text)
        assert main(["report", str(run), "-o", str(tmp_path / "r.html"), "--expect", str(tmp_path / "bad.csv")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and where in err, err


def test_without_matplotlib_it_says_which_extra_to_install(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    for name in ("html", "plots"):  # forget the report's modules, so that they are imported again
        monkeypatch.delitem(sys.modules, f"livecheck.report.{name}", raising=False)
        monkeypatch.delattr(livecheck.report, name, raising=False)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    run = tmp_path / "run.jsonl"
    run.write_text(frame_line(0, 0.0, []) + "\n")
    assert main(["report", str(run), "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'livecheck[report]'" in err


def test_long_runs_are_thinned_keeping_every_spike() -> None:
    ts = [i / 30 for i in range(100_000)]
    values = [1.0] * len(ts)
    values[77_777], values[12_345] = 50.0, -3.0
    thin_ts, thin_values = thin(ts, values)
    assert len(thin_ts) <= MAX_POINTS and thin_ts == sorted(thin_ts)
    assert max(thin_values) == 50.0 and min(thin_values) == -3.0
    assert ts[77_777] in thin_ts
    assert thin(ts[:100], values[:100]) == (ts[:100], values[:100])


def chromium() -> str | None:
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def near_mask(pixels: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 10) -> np.ndarray:
    return np.abs(pixels.astype(int) - np.array(rgb)).max(axis=2) <= tolerance


def near(pixels: np.ndarray, rgb: tuple[int, int, int]) -> int:
    return int(near_mask(pixels, rgb).sum())


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="no Chromium (Debian package `chromium`; make test installs it as root)")
def test_report_renders_its_timeline_in_headless_chromium(demo_report: Path, tmp_path: Path) -> None:
    """The first screen of the page is the timeline; the same page with its SVG emptied fails
    every pixel check below (tried by hand), so they see the plot, not just the page."""
    shot = tmp_path / "report.png"
    subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,820",
                    f"--screenshot={shot}", demo_report.as_uri()],
                   check=True, timeout=120, capture_output=True)
    pixels = cv2.imread(str(shot))[:, :, ::-1]  # RGB
    assert pixels.shape[:2] == (820, 1280)
    plot = pixels[180:]  # below the title: the timeline fills the rest of the first screen
    assert (plot.min(axis=2) < 230).mean() > 0.05  # drawn, not a blank page
    assert near(plot, (0x1F, 0x7A, 0x8C)) > 300  # the quality curve
    scripted = (Hint.BLURRY, Hint.TOO_DARK, Hint.TOO_BRIGHT, Hint.NOISY)  # the demo's defects, in clip order
    for hint in scripted:  # each hint's band, solid in its badge colour where it was on
        assert near(plot, HINT_SPECS[hint].colour) > 800, hint
    # ... and the bands in the clip's order (blurry at 4 s ... noisy at 21.5 s): the time axis holds
    centres = [np.nonzero(near_mask(plot, HINT_SPECS[h].colour))[1].mean() for h in scripted]
    assert centres == sorted(centres), centres
    assert len(np.unique(plot.reshape(-1, 3) // 16, axis=0)) > 40  # curves, bands, text: not one flat fill
