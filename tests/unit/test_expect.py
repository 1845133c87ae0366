"""Expected-hint timelines: parsing (and every way a timeline can be malformed), the judgement on
hand-made records, the text report, the JUnit XML and `livecheck check`'s exit codes."""
from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from livecheck.cli import main
from livecheck.expect import (
    ExpectSettings,
    Sample,
    TimelineError,
    judge,
    junit_tree,
    load_timeline,
    parse_timeline,
    report_lines,
    samples_from_jsonl,
)
from livecheck.hint import Hint

FPS = 10


def timeline(*rows: str, grace: float = 0.5) -> tuple:
    return parse_timeline("start,end,expect\n" + "\n".join(rows) + "\n", grace=grace, source="t.csv")


def track(*segments: tuple[float, float, tuple[str, ...]], end: float = 6.0) -> list[Sample]:
    """Samples at FPS frames/s from 0 to ``end``: hints ``names`` on [start, stop) of each segment."""
    samples = []
    for i in range(round(end * FPS)):
        t = round(i / FPS, 4)
        names = next((n for a, b, n in segments if a <= t < b), ())
        samples.append(Sample(t, frozenset(names)))
    return samples


# -- parsing ------------------------------------------------------------------------------------

def test_parse_windows_hint_sets_comments_and_a_spreadsheet_bom(tmp_path: Path) -> None:
    windows = timeline("# a comment", "", "0, 2, none", "2,4,Blurry", "4,6.5,noisy+too_dark")
    assert [(w.start, w.end, w.hints, w.line) for w in windows] == [
        (0.0, 2.0, frozenset(), 4), (2.0, 4.0, {Hint.BLURRY}, 5), (4.0, 6.5, {Hint.NOISY, Hint.TOO_DARK}, 6)]
    assert [w.name for w in windows] == ["0-2 none", "2-4 blurry", "4-6.5 noisy+too_dark"]
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffstart,end,expect\r\n0,1,too_bright\r\n".encode())
    assert [w.name for w in load_timeline(path, grace=0.5)] == ["0-1 too_bright"]


@pytest.mark.parametrize(("text", "message"), [
    ("", "t.csv:1: empty timeline"),
    ("# only a comment\n", "t.csv:1: empty timeline"),
    ("start,end\n0,1\n", "t.csv:1: the first line must be the header"),
    ("0,1,blurry\n", "t.csv:1: the first line must be the header"),
    ("start,end,expect\n", "t.csv: no window after the header"),
    ("start,end,expect\n0,1\n", "t.csv:2: expected 3 fields"),
    ("start,end,expect\n0,1,blurry,x\n", "t.csv:2: expected 3 fields"),
    ("start,end,expect\n0,1,none\nx,2,blurry\n", "t.csv:3: start must be a number of seconds >= 0, not 'x'"),
    ("start,end,expect\n-1,2,blurry\n", "t.csv:2: start must be a number"),
    ("start,end,expect\n0,nan,blurry\n", "t.csv:2: end must be a number"),
    ("start,end,expect\n3,2,blurry\n", "t.csv:2: end 2 is not after start 3"),
    ("start,end,expect\n2,2,blurry\n", "t.csv:2: end 2 is not after start 2"),
    ("start,end,expect\n0,0.5,blurry\n", "t.csv:2: window 0-0.5 is not longer than the grace period"),
    ("start,end,expect\n0,1,fuzzy\n", "t.csv:2: unknown hint 'fuzzy' (known hints: blurry, too_dark"),
    ("start,end,expect\n0,1,blurry+\n", "t.csv:2: unknown hint ''"),
    ("start,end,expect\n0,1,none+blurry\n", "t.csv:2: 'none' cannot be combined"),
    ("start,end,expect\n0,1,noisy+noisy\n", "t.csv:2: noisy is named twice"),
    ("start,end,expect\n0,2,none\n1.5,3,blurry\n", "t.csv:3: window 1.5-3 starts before the window on line 2"),
    ("start,end,expect\n4,5,none\n\n1,2,blurry\n", "t.csv:4: window 1-2 starts before the window on line 2"),
])
def test_malformed_timelines_name_the_line(text: str, message: str) -> None:
    with pytest.raises(TimelineError) as info:
        parse_timeline(text, grace=0.5, source="t.csv")
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_touching_windows_are_fine_and_a_zero_grace_allows_short_ones() -> None:
    assert len(timeline("0,1,none", "1,2,blurry")) == 2
    assert len(timeline("0,0.2,blurry", grace=0.0)) == 1


# -- judging ------------------------------------------------------------------------------------

def test_coverage_reaction_and_clear_latency() -> None:
    samples = track((0, 2, ()), (2.3, 4.6, ("blurry",)), (4.6, 6, ()))
    verdict = judge(timeline("0,2,none", "2,4,blurry", "4,6,none"), samples)
    none1, blurry, none2 = verdict.results
    assert verdict.clip_end == pytest.approx(6.0)
    assert none1.passed and none1.coverage == pytest.approx(1.0) and none1.reaction_s == 0.0
    assert none1.clear_s is None  # not measured for `none` windows
    assert blurry.passed and blurry.coverage == pytest.approx(1.0)
    assert blurry.reaction_s == pytest.approx(0.3) and blurry.clear_s == pytest.approx(0.6)
    # blurry is still on for 0.1 s of the judged 4.5-6: 1.4 / 1.5
    assert none2.passed and none2.coverage == pytest.approx(1.4 / 1.5) and none2.reaction_s == pytest.approx(0.6)
    assert none2.others == {"blurry"}
    assert verdict.passed and verdict.failures == 0


def test_a_late_hint_fails_on_coverage_and_one_that_never_shows_says_so() -> None:
    samples = track((3.0, 4.0, ("too_dark",)))
    late, never = judge(timeline("2,4,too_dark", "4,6,noisy"), samples).results
    assert not late.passed and late.coverage == pytest.approx(1.0 / 1.5) and late.reaction_s == pytest.approx(1.0)
    assert late.failure == "expectation met on 66.7% of the window after the grace period, needs 90.0%"
    assert not never.passed and never.coverage == 0.0 and never.reaction_s is None
    assert never.failure.endswith("; never met in the window")
    assert never.clear_s == 0.0  # it was not showing at the window's end


def test_all_expected_hints_must_show_and_others_may() -> None:
    samples = track((0, 1, ("noisy",)), (1, 3, ("noisy", "too_dark", "blurry")), end=3.0)
    both, one = judge(timeline("0,1.5,too_dark+noisy", "1.5,3,noisy"), samples,
                      ExpectSettings(coverage=0.9, grace=0.0)).results
    assert both.coverage == pytest.approx(0.5 / 1.5) and both.reaction_s == pytest.approx(1.0)
    assert one.passed and one.others == {"too_dark", "blurry"}
    assert one.clear_s is None  # noisy never cleared before the records end


def test_coverage_and_grace_settings() -> None:
    samples = track((1.3, 3, ("blurry",)), end=3.0)
    windows = timeline("1,3,blurry", grace=0.0)
    assert not judge(windows, samples, ExpectSettings(coverage=0.9, grace=0.0)).passed  # 1.7 / 2
    assert judge(windows, samples, ExpectSettings(coverage=0.9, grace=0.3)).passed
    assert judge(windows, samples, ExpectSettings(coverage=0.85, grace=0.0)).passed


def test_none_windows_ignore_hint_names_that_are_not_core_hints() -> None:
    samples = track((0, 2, ("some_future_hint",)), end=2.0)
    (result,) = judge(timeline("0,2,none"), samples).results
    assert result.passed and result.others == frozenset()


def test_windows_beyond_the_clip_fail_with_what_was_measured() -> None:
    samples = track((0, 3, ("blurry",)), end=3.0)  # frames 0 .. 2.9: the clip ends at 3.0
    fits, past, after = judge(timeline("0,3.04,blurry", "3.04,4,blurry", "5,6,none", grace=0.0), samples,
                              ExpectSettings(grace=0.0)).results
    assert fits.passed  # within half a frame of the end
    assert not past.passed and past.coverage is None
    assert past.failure == "window ends at 4 s, after the clip's end at 3 s"
    assert not after.passed and after.reaction_s is None


# -- records, the report and the JUnit XML --------------------------------------------------------

def test_samples_from_jsonl_skips_events_and_summary_and_names_bad_lines() -> None:
    lines = ['{"event":"opened","message":"x"}', '{"frame":0,"t":0.0,"hints":[]}', "",
             '{"frame":1,"t":0.04,"hints":["blurry"]}', '{"summary":{"frames_analysed":2}}']
    assert samples_from_jsonl(lines, "run.jsonl") == [Sample(0.0, frozenset()), Sample(0.04, frozenset({"blurry"}))]
    for bad, message in [(["{nope"], "run.jsonl:1: Expecting property name"),
                         (['{"frame":0,"hints":[]}'], "run.jsonl:1: frame record without a finite number 't'"),
                         (['{"frame":0,"t":0,"hints":"blurry"}'], "run.jsonl:1: frame record without a list"),
                         (['{"frame":0,"t":1,"hints":[]}', '{"frame":1,"t":0.5,"hints":[]}'],
                          "run.jsonl:2: t goes back from 1 to 0.5"),
                         (['[1, 2]'], "run.jsonl:1: not a JSON object"),
                         (['{"summary":{}}'], "run.jsonl: no frame records")]:
        with pytest.raises(ValueError) as info:
            samples_from_jsonl(bad, "run.jsonl")
        assert str(info.value).startswith(message)


def test_report_lines() -> None:
    samples = track((2.3, 4.6, ("blurry",)))
    lines = report_lines(judge(timeline("0,2,none", "2,4,blurry", "4,6,too_dark"), samples))
    assert lines[0].split() == ["PASS", "0-2", "none", "coverage", "100.0%", "reaction", "0.00", "s"]
    assert lines[1].split() == ["PASS", "2-4", "blurry", "coverage", "100.0%", "reaction", "0.30", "s",
                                "clear", "0.60", "s"]
    assert lines[2].startswith("FAIL  4-6 too_dark")
    assert "also shown: blurry  -- expectation met on 0.0%" in lines[2]
    assert lines[3].startswith("expect: 2 of 3 windows passed, 1 failed (coverage >= 90.0% after a 0.5 s grace)")
    assert "reaction median 0.15 s, max 0.30 s; clear median 0.30 s, max 0.60 s" in lines[3]


def test_junit_xml_has_a_testcase_per_window_and_failures_with_the_figures() -> None:
    samples = track((2.3, 4.6, ("blurry",)))
    verdict = judge(timeline("0,2,none", "2,4,blurry", "4,6,too_dark"), samples)
    buffer = io.BytesIO()
    junit_tree(verdict, "clip_timeline").write(buffer, encoding="utf-8", xml_declaration=True)
    root = ET.fromstring(buffer.getvalue())
    assert root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "1"
    (suite,) = root.findall("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("failures"), suite.get("errors")) == (
        "clip_timeline", "3", "1", "0")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["0-2 none", "2-4 blurry", "4-6 too_dark"]
    assert [c.get("time") for c in cases] == ["2", "2", "2"]
    assert [c.find("failure") is None for c in cases] == [True, True, False]
    failure = cases[2].find("failure")
    assert failure.get("message").startswith("expectation met on 0.0%")
    assert "timeline line 4" in failure.text and "coverage 0.0%, reaction -, clear 0.00 s" in failure.text
    assert cases[1].find("system-out").text == "coverage 100.0%, reaction 0.30 s, clear 0.60 s"


# -- `livecheck check` -------------------------------------------------------------------------------

def write_run(path: Path, samples: list[Sample]) -> Path:
    lines = [{"event": "opened", "message": "test"}]
    lines += [{"frame": i, "t": s.t, "hints": sorted(s.hints)} for i, s in enumerate(samples)]
    lines.append({"summary": {"frames_analysed": len(samples)}})
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_check_exit_codes_report_and_junit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = write_run(tmp_path / "run.jsonl", track((2.3, 4.6, ("blurry",)), (4.6, 6, ())))
    good = tmp_path / "good.csv"
    good.write_text("start,end,expect\n0,2,none\n2,4,blurry\n4,6,none\n")
    assert main(["check", str(run), "--expect", str(good), "--junit", str(tmp_path / "good.xml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 and all(line.startswith("PASS") for line in out[:3])
    assert out[3].startswith("expect: 3 of 3 windows passed, 0 failed")
    assert ET.parse(tmp_path / "good.xml").getroot().get("failures") == "0"

    shifted = tmp_path / "shifted.csv"
    shifted.write_text("start,end,expect\n0,3,none\n3,5,blurry\n5,6,none\n")
    assert main(["check", str(run), "--expect", str(shifted), "--junit", str(tmp_path / "shifted.xml")]) == 1
    assert "expect: 1 of 3 windows passed, 2 failed" in capsys.readouterr().out
    root = ET.parse(tmp_path / "shifted.xml").getroot()
    assert root.get("failures") == "2" and len(root.findall("testsuite/testcase/failure")) == 2

    assert main(["check", str(run), "--expect", str(good), "--expect-coverage", "1", "--expect-grace", "0.7"]) == 0
    capsys.readouterr()


def test_check_reads_stdin(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    run = write_run(tmp_path / "run.jsonl", track((0, 2, ("too_dark",)), end=2.0))
    tl = tmp_path / "t.csv"
    tl.write_text("start,end,expect\n0,2,too_dark\n")
    monkeypatch.setattr("sys.stdin", io.StringIO(run.read_text()))
    assert main(["check", "-", "--expect", str(tl)]) == 0
    assert capsys.readouterr().out.startswith("PASS  0-2 too_dark")


@pytest.mark.parametrize(("files", "argv", "message"), [
    ({"t.csv": "start,end,expect\n0,1,none\n1,3,fuzzy\n"}, ["check", "run.jsonl", "--expect", "t.csv"],
     "t.csv:3: unknown hint 'fuzzy'"),
    ({"t.csv": "begin,end,expect\n"}, ["check", "run.jsonl", "--expect", "t.csv"],
     "t.csv:1: the first line must be the header"),
    ({"t.csv": "start,end,expect\n0,1,none\n", "bad.jsonl": '{"frame":0,"t":0,"hints":[]}\n{oops\n'},
     ["check", "bad.jsonl", "--expect", "t.csv"], "bad.jsonl:2: "),
    ({"t.csv": "start,end,expect\n0,1,none\n"}, ["check", "missing.jsonl", "--expect", "t.csv"],
     "No such file or directory"),
    ({}, ["check", "run.jsonl", "--expect", "missing.csv"], "No such file or directory"),
    ({}, ["replay", "clip.mp4", "--junit", "out.xml"], "--junit needs --expect TIMELINE.csv"),
])
def test_malformed_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch, files: dict[str, str],
                                               argv: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    write_run(tmp_path / "run.jsonl", track((0, 3, ())))
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert "\n" not in err and err.startswith("livecheck: error: ") and message in err


@pytest.mark.parametrize(("option", "value"), [("--expect-coverage", "0"), ("--expect-coverage", "1.5"),
                                               ("--expect-grace", "-1"), ("--expect-grace", "inf")])
def test_bad_coverage_or_grace_is_a_usage_error(option: str, value: str, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["check", "run.jsonl", "--expect", "t.csv", option, value])
    assert info.value.code == 2
