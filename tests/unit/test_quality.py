"""The 0..100 overall quality: range, direction of every input, blending with model scores."""
from __future__ import annotations

import dataclasses

import pytest

from livecheck.fastchecks import FrameMetrics
from livecheck.hint import Hint
from livecheck.quality import overall_quality

GOOD = FrameMetrics(sharpness=2.8, edge_strength=10.0, mean_luma=120.0, p05=30.0, p50=118.0,
                    p95=210.0, clipped_dark=0.0, clipped_bright=0.0, colour_noise=0.5,
                    luma_noise=0.4, noise_sigma=0.5, contrast=180.0)


def q(models: dict | None = None, hints: frozenset[Hint] = frozenset(), **changes: float) -> float:
    return overall_quality(dataclasses.replace(GOOD, **changes).as_dict(), hints, models)


def test_good_frame_scores_high_and_range_holds() -> None:
    assert q() == pytest.approx(100.0)
    worst = q(hints=frozenset(Hint), sharpness=0.5, mean_luma=2.0, colour_noise=30.0, luma_noise=30.0,
              noise_sigma=30.0, contrast=0.0, clipped_dark=1.0)
    assert 0.0 <= worst < 5.0


@pytest.mark.parametrize("name, worse, better", [
    ("sharpness", 1.3, 2.0),
    ("colour_noise", 6.0, 2.0),
    ("luma_noise", 15.0, 6.0),
    ("contrast", 12.0, 40.0),
    ("mean_luma", 30.0, 60.0),
    ("clipped_bright", 0.4, 0.1),
])
def test_each_metric_moves_the_score_one_way(name: str, worse: float, better: float) -> None:
    assert q(**{name: worse}) < q(**{name: better}) <= 100.0


def test_too_bright_frames_score_lower() -> None:
    assert q(mean_luma=230.0) < q(mean_luma=190.0) < q(mean_luma=150.0)


def test_unjudgeable_sharpness_is_not_penalised() -> None:
    assert q(sharpness=0.0, edge_strength=0.0) == q()


def test_each_hint_lowers_the_score() -> None:
    one = q(hints=frozenset({Hint.NOISY}))
    two = q(hints=frozenset({Hint.NOISY, Hint.BLURRY}))
    assert two < one < q()


def test_models_blend_in_with_their_direction() -> None:
    fast = q(colour_noise=4.0)
    assert q({"nima": {"mean": 9.0}}, colour_noise=4.0) > q({"nima": {"mean": 3.0}}, colour_noise=4.0)
    assert q({"diqa": {"score": 0.9}}, colour_noise=4.0) > q({"diqa": {"score": 0.2}}, colour_noise=4.0)
    assert (q({"brisque": {"score": 10.0}}, colour_noise=4.0)
            > q({"brisque": {"score": 70.0}}, colour_noise=4.0))
    assert q({"nima": {"mean": 10.0}, "diqa": {"score": 1.0}}, colour_noise=4.0) == pytest.approx(
        0.5 * fast + 50.0)
    assert q({"unknown": {"x": 1.0}}, colour_noise=4.0) == fast
    assert q({}, colour_noise=4.0) == fast
