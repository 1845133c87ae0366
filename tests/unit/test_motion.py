"""hold_still: the camera's motion between frames, on generated clips (livecheck/dev/pans.py)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.media import collect, scene

from livecheck.capture import open_capture
from livecheck.dev import pans
from livecheck.fastchecks import FrameMetrics
from livecheck.hint import Hint
from livecheck.hint_engine import HintEngine
from livecheck.motion import MotionTracker
from livecheck.pipeline import Pipeline, PipelineConfig
from livecheck.thresholds import Thresholds

SIZE = (1280, 720)
GOOD = FrameMetrics(sharpness=2.8, edge_strength=10.0, mean_luma=120.0, p05=30.0, p50=118.0,
                    p95=210.0, clipped_dark=0.0, clipped_bright=0.0, colour_noise=0.5,
                    luma_noise=0.4, noise_sigma=0.5, contrast=180.0)


@pytest.fixture(scope="module")
def world() -> np.ndarray:
    return pans.scene(scene(*SIZE), SIZE)


def motions(frames, tracker: MotionTracker | None = None) -> list[float]:
    tracker = tracker or MotionTracker()
    return [tracker.update(f, i) for i, f in enumerate(frames)]


@pytest.mark.parametrize("speed", [6.0, 12.0, 24.0])
def test_a_steady_pan_reads_its_speed(world: np.ndarray, speed: float) -> None:
    readings = motions(pans.clip(world, SIZE, [speed] * 6))
    assert readings[0] == 0.0  # nothing to compare the first frame with
    assert all(abs(r - speed) < 2.0 for r in readings[1:]), readings


def test_a_blurred_pan_still_reads_its_speed(world: np.ndarray) -> None:
    readings = motions(pans.clip(world, SIZE, [20.0] * 5, exposure=1.0))
    assert all(abs(r - 20.0) < 2.0 for r in readings[1:]), readings


def test_a_still_hand_held_camera_reads_almost_no_motion(world: np.ndarray) -> None:
    assert max(motions(pans.clip(world, SIZE, [0.0] * 8))) < 2.0


def test_one_small_moving_object_is_not_the_camera_moving(world: np.ndarray) -> None:
    frames = pans.clip(world, SIZE, [0.0] * 8, moving=pans.MovingObject(1 / 8, 30.0))
    assert max(motions(frames)) < 2.0


def test_motion_is_in_viewing_pixels() -> None:
    size = (2560, 1440)  # shown fitted to 1920 px: 4 frame pixels are 3 viewing pixels
    frames = list(pans.clip(pans.scene(scene(*size), size), size, [16.0] * 4))
    view, native = motions(frames, MotionTracker())[1:], motions(frames, MotionTracker(view_size=0))[1:]
    assert np.median(view) == pytest.approx(12.0, abs=2.5)
    assert native == pytest.approx([v * 4 / 3 for v in view])


def test_frames_skipped_between_two_measured_count_as_frame_intervals(world: np.ndarray) -> None:
    frames = list(pans.clip(world, SIZE, [6.0] * 8))
    tracker = MotionTracker()
    readings = [tracker.update(frames[seq], seq) for seq in (0, 2, 5, 7)]
    assert all(abs(r - 6.0) < 1.5 for r in readings[1:]), readings


def test_no_motion_without_a_previous_frame_of_the_same_stream(world: np.ndarray) -> None:
    frames = list(pans.clip(world, SIZE, [12.0] * 4))
    tracker = MotionTracker()
    assert tracker.update(frames[0], 0) == 0.0 and tracker.update(frames[1], 1) > 10.0
    tracker.reset()
    assert tracker.update(frames[2], 2) == 0.0
    assert tracker.update(frames[3], 0) == 0.0  # a clip restarted: the sequence went back
    assert tracker.update(cv2.resize(frames[3], (640, 360)), 1) == 0.0  # another frame size


def test_a_featureless_scene_reads_no_motion() -> None:
    rng = np.random.default_rng(0)
    frames = [np.clip(rng.normal(120.0, 3.0, (*SIZE[::-1], 3)), 0, 255).astype(np.uint8) for _ in range(6)]
    assert motions(frames) == [0.0] * 6  # noise alone never correlates into a shift


def _shown(readings: list[float], fps: float = 30.0) -> list[frozenset[Hint]]:
    engine = HintEngine(Thresholds())
    return [engine.update(dataclasses.replace(GOOD, motion=m), i / fps) for i, m in enumerate(readings)]


def test_hold_still_shows_on_a_pan_after_the_on_delay_and_never_on_a_still_camera(world: np.ndarray) -> None:
    pan = _shown(motions(pans.clip(world, SIZE, [10.0] * 14)))
    assert Hint.HOLD_STILL not in pan[8] and all(Hint.HOLD_STILL in h for h in pan[11:])  # 0.3 s after frame 1
    still = _shown(motions(pans.clip(world, SIZE, [0.0] * 14)))
    assert all(h == frozenset() for h in still)


def test_a_pan_slowing_down_clears_hold_still_once_below_its_off_threshold() -> None:
    th = Thresholds()
    between = (th.hold_still_on + th.hold_still_off) / 2
    shown = _shown([10.0] * 15 + [between] * 30 + [0.5] * 30)
    assert Hint.HOLD_STILL in shown[44]  # inside the hysteresis band it stays
    assert Hint.HOLD_STILL not in shown[-1]


def _write(path: Path, frames) -> Path:
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, SIZE)
    for frame in frames:
        out.write(frame)
    out.release()
    return path


def test_the_pipeline_measures_motion_and_raises_hold_still_on_a_panning_clip(tmp_path: Path,
                                                                            world: np.ndarray) -> None:
    clips = {"pan": _write(tmp_path / "pan.avi", pans.clip(world, SIZE, [12.0] * 20)),
             "still": _write(tmp_path / "still.avi", pans.clip(world, SIZE, [0.0] * 20))}
    hints = {}
    for name, path in clips.items():
        _, results = collect(lambda cb, p=path: Pipeline(open_capture(str(p), pace=False),
                                                         PipelineConfig(models=()), on_result=cb))
        assert results[0].metrics["motion"] == 0.0
        hints[name] = [r.hints for r in results]
        if name == "pan":
            assert all(abs(r.metrics["motion"] - 12.0) < 1.5 for r in results[1:])
            assert all(Hint.HOLD_STILL in r.frame_hints for r in results[1:])
    assert any(Hint.HOLD_STILL in h for h in hints["pan"])
    assert not any(Hint.HOLD_STILL in h for h in hints["still"])


def test_the_pipeline_does_not_measure_motion_when_hold_still_is_disabled(tmp_path: Path, world: np.ndarray) -> None:
    path = _write(tmp_path / "pan.avi", pans.clip(world, SIZE, [12.0] * 5))
    config = PipelineConfig(thresholds=Thresholds(disabled=frozenset({Hint.HOLD_STILL})), models=())
    _, results = collect(lambda cb: Pipeline(open_capture(str(path), pace=False), config, on_result=cb))
    assert len(results) == 5 and all(r.metrics["motion"] == 0.0 for r in results)
