"""One analyser behind every command: a photo scored and the same photo replayed read the same."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from livecheck.analyser import Analyser
from livecheck.fastchecks import assess
from livecheck.models import ModelName

ENV_NO_WINDOW = {"QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}


def _scene(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = cv2.resize(rng.integers(0, 256, (30, 40, 3), dtype=np.uint8), (640, 480),
                     interpolation=cv2.INTER_NEAREST)
    cv2.putText(img, "livecheck", (40, 260), cv2.FONT_HERSHEY_SIMPLEX, 3.0, (255, 255, 255), 6)
    return img


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four photos, each with a different defect (sharp, blurred, dark, noisy), and a photo of camera
    size, which both commands decode only as large as its view."""
    folder = tmp_path_factory.mktemp("photos")
    sharp = _scene(1)
    noisy = np.clip(_scene(3) + np.random.default_rng(0).normal(0, 12, sharp.shape), 0, 255).astype(np.uint8)
    for name, img in (("a_sharp.png", sharp), ("b_blurred.png", cv2.GaussianBlur(_scene(2), (0, 0), 4.0)),
                      ("c_dark.png", (_scene(4) * 0.12).astype(np.uint8)), ("d_noisy.png", noisy)):
        cv2.imwrite(str(folder / name), img)
    big = cv2.resize(_scene(5), (4000, 3000), interpolation=cv2.INTER_CUBIC)
    cv2.imwrite(str(folder / "e_big.jpg"), big, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return folder


def _livecheck(*argv: str) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "livecheck", *argv], check=True, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **ENV_NO_WINDOW})
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_score_and_replay_of_the_same_photos_agree_metric_for_metric(photos: Path) -> None:
    scored = _livecheck("score", "--json", str(photos))
    replayed = [line for line in _livecheck("replay", "--no-pace", str(photos)) if "frame" in line]
    assert [Path(r["path"]).name for r in scored] == sorted(p.name for p in photos.iterdir())
    assert len(replayed) == len(scored) == 5
    assert scored[-1]["decode_scale"] == 0.5
    for record, line in zip(scored, replayed, strict=True):
        # a replay is a stream, and measures the motion from the previous frame; a photo scored has none
        assert record["metrics"]["motion"] == 0.0
        assert {k: v for k, v in line["metrics"].items() if k != "motion"} == \
            {k: v for k, v in record["metrics"].items() if k != "motion"}, record["path"]
        assert line["frame_hints"] == record["hints"], record["path"]
        for name, values in record["models"].items():  # each model ran on each frame (2 fps folder)
            assert line["models"][name]["seq"] == line["frame"]
            assert {k: v for k, v in line["models"][name].items() if k not in ("seq", "age_ms")} == \
                {k: v for k, v in values.items() if k != "input"}, (record["path"], name)
    assert {h for r in scored for h in r["hints"]} >= {"blurry", "too_dark", "noisy"}


def test_analyse_is_the_fast_checks_plus_the_models_it_holds() -> None:
    class Constant:
        input = "the whole frame"

        def score(self, bgr: np.ndarray) -> dict[str, float]:
            return {"score": 0.25}

        def close(self) -> None:
            self.closed = True

    model = Constant()
    analyser = Analyser(models={ModelName.DIQA: model})
    frame = _scene(5)
    analysis = analyser.analyse(frame)
    alone = assess(frame)
    assert analysis.metrics == alone.metrics and analysis.frame_hints == alone.hints
    assert analysis.models["diqa"].values == {"score": 0.25}
    checks_only = analyser.analyse(frame, with_models=False)
    assert checks_only.models == {} and checks_only.quality != analysis.quality  # the model pulls it down
    analyser.close()
    assert model.closed and not analyser.models
