"""`livecheck calibrate`: thresholds fitted to a camera from a generated clip of a good scene."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.media import add_noise, scene

from livecheck.calibrate import BLURRY_ON_RANGE, NOISE_MARGIN, SHARPNESS_MARGIN
from livecheck.cli import main
from livecheck.fastchecks import assess
from livecheck.hint import Hint
from livecheck.thresholds import Thresholds, load_thresholds


def write_clip(path: Path, frame: Callable[[int], np.ndarray], n: int = 20, fps: float = 10.0) -> Path:
    """A lossless clip (FFV1), so the frames keep their noise as a camera gives it."""
    first = frame(0)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"FFV1"), fps, (first.shape[1], first.shape[0]))
    for i in range(n):
        writer.write(frame(i))
    writer.release()
    return path


def calibrate(tmp_path: Path, frame: Callable[[int], np.ndarray]) -> tuple[int, Path]:
    clip = write_clip(tmp_path / "clip.mkv", frame)
    out = tmp_path / "camera.toml"
    return main(["calibrate", str(clip), "-o", str(out), "--seconds", "1.5"]), out


def test_a_good_scene_gives_a_thresholds_file_for_the_other_commands(tmp_path: Path, capsys) -> None:
    rc, out = calibrate(tmp_path, lambda i: add_noise(scene(), 1.0, seed=i))
    assert rc == 0
    th = load_thresholds(out)
    measured = assess(add_noise(scene(), 1.0)).metrics
    expected = min(max(SHARPNESS_MARGIN * measured.sharpness, BLURRY_ON_RANGE[0]), BLURRY_ON_RANGE[1])
    assert th.blurry_on == pytest.approx(expected, abs=0.1)
    assert th.noisy_on == pytest.approx(max(Thresholds().noisy_on, NOISE_MARGIN * measured.colour_noise), rel=0.15)
    photo = tmp_path / "good.png"
    cv2.imwrite(str(photo), add_noise(scene(), 1.0, seed=50))
    assert main(["score", "--json", "--no-models", "--thresholds", str(out), str(photo)]) == 0
    assert json.loads(capsys.readouterr().out)["hints"] == []  # the camera's own good frames stay clear


def test_a_noisy_camera_raises_noisy_only_above_its_own_floor(tmp_path: Path) -> None:
    rc, out = calibrate(tmp_path, lambda i: add_noise(scene(), 4.0, seed=i))
    assert rc == 0
    th = load_thresholds(out)
    floor = assess(add_noise(scene(), 4.0)).metrics.colour_noise
    assert th.noisy_on >= NOISE_MARGIN * floor * 0.8 > Thresholds().noisy_on
    assert Hint.NOISY not in assess(add_noise(scene(), 4.0, seed=99), th).hints
    assert Hint.NOISY in assess(add_noise(scene(), 14.0), th).hints


@pytest.mark.parametrize("frame, reason", [
    (lambda i: (scene() * 0.1).astype(np.uint8), "too dark"),
    (lambda i: cv2.GaussianBlur(scene(), (0, 0), 5.0), "blurred"),
    (lambda i: np.full((480, 640, 3), 128, np.uint8), "featureless"),
])
def test_a_scene_that_cannot_calibrate_is_refused_in_one_line(tmp_path: Path, capsys, frame, reason: str) -> None:
    rc, out = calibrate(tmp_path, frame)
    err = capsys.readouterr().err.strip()
    assert rc == 2 and not out.exists()
    assert reason in err and len(err.splitlines()) == 1
