"""A learned model failing on one frame or file costs that model's entry there, nothing more.

Every caller goes through ``livecheck.models.run_model``; here it is checked on its own, inside the
pipeline, and through `livecheck score` and `livecheck replay` with a real model made to fail.
"""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.media import collect, write_clip

from livecheck.capture import open_capture
from livecheck.cli import main
from livecheck.models import MetricInfo, ModelName, ModelOutput, load_model, run_model
from livecheck.models.diqa import DiqaModel
from livecheck.pipeline import Pipeline, PipelineConfig
from livecheck.quality import fast_quality


class FlakyModel:
    """Raises on every frame whose index is in ``fail_on`` (counting calls), else scores."""

    info = MetricInfo("fake", True, 0.0, 1.0, "test double")
    input = "the frame as given"

    def __init__(self, fail_on: set[int]) -> None:
        self.fail_on = fail_on
        self.calls = 0

    def score(self, bgr: np.ndarray) -> dict[str, float]:
        call, self.calls = self.calls, self.calls + 1
        if call in self.fail_on:
            raise RuntimeError(f"OpenCV(4.12) error in call {call}\n  (-215:Assertion failed) in function 'x'")
        return {"mean": 5.0, "std": 1.0}

    def close(self) -> None:
        pass


class ConstantModel(FlakyModel):
    def __init__(self, values: dict[str, float]) -> None:
        super().__init__(set())
        self.values = values

    def score(self, bgr: np.ndarray) -> dict[str, float]:
        return self.values


def test_run_model_turns_any_exception_into_a_one_line_error() -> None:
    out = run_model(FlakyModel({0}), np.zeros((8, 8, 3), np.uint8))
    assert out == ModelOutput(values={}, error="OpenCV(4.12) error in call 0")


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_run_model_refuses_values_that_are_not_finite(bad: float) -> None:
    out = run_model(ConstantModel({"score": bad, "other": 1.0}), np.zeros((8, 8, 3), np.uint8))
    assert out.values == {} and "score" in (out.error or "") and "other" not in (out.error or "")


def test_run_model_takes_grey_and_bgra_as_the_fast_checks_do() -> None:
    diqa = load_model(ModelName.DIQA)
    try:
        grey = np.random.default_rng(0).integers(0, 256, (60, 80), dtype=np.uint8)
        bgr = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
        bgra = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)
        expected = run_model(diqa, bgr)
        assert expected.error is None
        assert run_model(diqa, grey) == expected == run_model(diqa, bgra)
    finally:
        diqa.close()


def test_pipeline_records_a_failed_frame_and_keeps_running_the_model(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "c.avi", frames=50, fps=50.0)  # 1 s: 4 NIMA runs at 4 Hz
    model = FlakyModel(fail_on={1})
    config = PipelineConfig(models=(ModelName.NIMA,), rates_hz={ModelName.NIMA: 4.0})
    pipeline, results = collect(lambda cb: Pipeline(
        open_capture(str(clip), pace=False), config, on_result=cb, model_loader=lambda n, d: model))
    assert len(results) == 50 and model.calls == 4
    assert pipeline.stats.model_runs == {"nima": 4}
    assert pipeline.stats.model_failures == {"nima": 1}
    assert pipeline.stats.to_json()["model_failures"] == {"nima": 1}
    assert pipeline.failed_models == {"nima": "frame 13: OpenCV(4.12) error in call 1"}
    by_seq = {r.seq: r for r in results}
    failed = by_seq[13].to_json()["models"]["nima"]
    assert failed == {"error": "OpenCV(4.12) error in call 1", "seq": 13, "age_ms": 0.0}
    assert by_seq[13].quality == pytest.approx(fast_quality(by_seq[13].metrics, by_seq[13].hints))  # left out
    assert by_seq[12].models["nima"].values == {"mean": 5.0, "std": 1.0}
    assert by_seq[25].models["nima"].values == {"mean": 5.0, "std": 1.0}  # the next run scores again


def _photo(path: Path, h: int, w: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    image = cv2.resize(rng.integers(0, 256, (max(h // 8, 1), max(w // 8, 1), 3), dtype=np.uint8), (w, h),
                       interpolation=cv2.INTER_CUBIC)
    assert cv2.imwrite(str(path), image)
    return path


def test_score_with_models_on_goes_past_a_1x1_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [_photo(tmp_path / "a.jpg", 240, 320, 0), _photo(tmp_path / "tiny_1x1.png", 1, 1, 1),
             _photo(tmp_path / "b.jpg", 240, 320, 2)]
    assert main(["score", "--json", *map(str, files)]) == 0
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert [Path(r["path"]).name for r in records] == ["a.jpg", "tiny_1x1.png", "b.jpg"]
    for record in records:
        assert set(record["models"]) == {"nima", "diqa", "brisque"}
        for entry in record["models"].values():
            values = {k: v for k, v in entry.items() if k != "input"}  # "input" says what it looked at
            assert values and all(np.isfinite(v) for v in values.values()), record
    assert records[1]["models"]["brisque"] == {"score": 100.0, "input": "long side at most 768 px"}  # the worst
    assert err == ""


def test_score_a_model_failing_on_one_file_is_that_files_entry(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    real_score = DiqaModel.score

    def fails_on_thumbnails(self: DiqaModel, bgr: np.ndarray) -> dict[str, float]:
        if bgr.shape[0] < 10:
            raise cv2.error("OpenCV(4.12.0) resize.cpp:4208: error: (-215:Assertion failed)\nmore")
        return real_score(self, bgr)

    monkeypatch.setattr(DiqaModel, "score", fails_on_thumbnails)
    files = [_photo(tmp_path / "a.jpg", 240, 320, 0), _photo(tmp_path / "thumb.png", 6, 8, 1),
             _photo(tmp_path / "b.jpg", 240, 320, 2)]
    # --jobs 1: the patched model lives in this process only
    assert main(["score", "--json", "--jobs", "1", "--models", "diqa,brisque", *map(str, files)]) == 1
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert [Path(r["path"]).name for r in records] == ["a.jpg", "thumb.png", "b.jpg"]
    message = "OpenCV(4.12.0) resize.cpp:4208: error: (-215:Assertion failed)"
    assert records[1]["models"]["diqa"] == {"error": message, "input": DiqaModel.input}
    assert set(records[1]["models"]["brisque"]) == {"score", "input"}
    assert 0 <= records[1]["quality"] <= 100
    for record in (records[0], records[2]):
        assert set(record["models"]["diqa"]) == {"score", "input"}
    assert err.splitlines() == [f"livecheck: {files[1]}: model diqa failed: {message}"]


def test_replay_a_model_failing_on_some_frames_warns_once_and_counts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    real_score = DiqaModel.score
    calls = {"n": 0}

    def fails_every_other_call(self: DiqaModel, bgr: np.ndarray) -> dict[str, float]:
        calls["n"] += 1
        if calls["n"] % 2 == 0:
            raise RuntimeError("out of memory in the delegate")
        return real_score(self, bgr)

    monkeypatch.setattr(DiqaModel, "score", fails_every_other_call)
    clip = write_clip(tmp_path / "c.avi", frames=50, fps=25.0)  # 2 s: 4 DIQA runs at 2 Hz
    out = tmp_path / "r.jsonl"
    assert main(["replay", str(clip), "--no-pace", "--models", "diqa", "--jsonl", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    frames = [line for line in lines if "frame" in line]
    summary = lines[-1]["summary"]
    assert len(frames) == 50
    assert summary["model_runs"] == {"diqa": 4} and summary["model_failures"] == {"diqa": 2}
    entries = {line["models"]["diqa"]["seq"]: line["models"]["diqa"] for line in frames}
    assert set(entries) == {0, 13, 25, 38}
    assert entries[13]["error"] == entries[38]["error"] == "out of memory in the delegate"
    assert "score" in entries[0] and "score" in entries[25]
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warnings == ["livecheck: warning: model diqa failed on frame 13: out of memory in the delegate "
                        "(it goes on with the next frames; failures are counted in the summary)"]
