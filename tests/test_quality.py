"""The 0..100 overall quality: range, direction of every input, the hint term, the shipped table."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from livecheck.fastchecks import FrameMetrics, assess
from livecheck.hint import Hint
from livecheck.quality import (
    FUSION_INPUTS,
    HINT_FACTOR,
    QUANTILES,
    TERMS,
    FusionTable,
    fast_quality,
    fusion_table,
    overall_quality,
)

GOOD = FrameMetrics(sharpness=2.8, edge_strength=10.0, mean_luma=120.0, p05=30.0, p50=118.0,
                    p95=210.0, clipped_dark=0.0, clipped_bright=0.0, colour_noise=0.5,
                    luma_noise=0.4, noise_sigma=0.5, contrast=180.0)
GOOD_MODELS = {"nima": {"mean": 9.5}, "diqa": {"score": 0.97}, "brisque": {"score": 6.0}}  # clean photos


def q(models: dict | None = None, hints: frozenset[Hint] = frozenset(), **changes: float) -> float:
    return overall_quality(dataclasses.replace(GOOD, **changes).as_dict(), hints, models)


def test_the_shipped_table_is_complete_and_monotone() -> None:
    table = fusion_table()
    assert len(table.knots) == len(FUSION_INPUTS) and len(table.weights) == len(TERMS)
    assert all(w >= 0.0 for w in table.weights) and sum(table.weights) == pytest.approx(1.0, abs=1e-5)
    assert dict(zip(TERMS, table.weights))["models"] > 0.3  # the learned models carry the most weight
    for knots in table.knots:
        assert len(knots) == len(QUANTILES) and all(np.diff(knots) > 0)


def test_good_frame_scores_high_and_range_holds() -> None:
    assert q(GOOD_MODELS) > 80.0
    worst = q({"nima": {"mean": 2.0}, "diqa": {"score": 0.1}, "brisque": {"score": 90.0}},
              hints=frozenset(Hint), sharpness=0.5, mean_luma=2.0, colour_noise=30.0, luma_noise=30.0,
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
    """Never the wrong way; strictly the right way where the fit gave the metric's term a weight."""
    term = "exposure" if name in ("mean_luma", "clipped_bright") else name
    weighted = dict(zip(TERMS, fusion_table().weights))[term] > 0
    for models in (None, GOOD_MODELS):
        low, high = q(models, **{name: worse}), q(models, **{name: better})
        assert (low < high if weighted else low <= high) and high <= 100.0


def test_too_bright_frames_score_lower() -> None:
    if dict(zip(TERMS, fusion_table().weights))["exposure"] == 0:
        pytest.skip("the shipped fit gives exposure no weight")
    assert q(mean_luma=230.0) < q(mean_luma=190.0) < q(mean_luma=150.0)


def test_unjudgeable_sharpness_is_left_out_not_penalised() -> None:
    no_edges = q(sharpness=0.0, edge_strength=0.0)
    assert no_edges > q(sharpness=1.2)
    assert no_edges == q(sharpness=5.0, edge_strength=0.0)  # its value is not read at all


def test_each_hint_is_a_fixed_factor() -> None:
    base = q(GOOD_MODELS)
    assert q(GOOD_MODELS, hints=frozenset({Hint.NOISY})) == pytest.approx(base * HINT_FACTOR)
    assert q(GOOD_MODELS, hints=frozenset({Hint.NOISY, Hint.BLURRY})) == pytest.approx(base * HINT_FACTOR**2)


def test_the_models_term_follows_the_middle_model() -> None:
    """Between a high NIMA and a low DIQA, BRISQUE decides; and one model far off cannot drag the
    score: below both others, how far below does not matter."""
    split = {"nima": {"mean": 9.5}, "diqa": {"score": 0.4}}
    assert q(split | {"brisque": {"score": 40.0}}) < q(split | {"brisque": {"score": 12.0}})
    good = {"nima": {"mean": 9.5}, "brisque": {"score": 6.0}}
    assert q(good | {"diqa": {"score": 0.05}}) == q(good | {"diqa": {"score": 0.5}})
    assert q(good | {"diqa": {"score": 0.05}}) > q()  # the two that agree still count


def test_missing_and_unknown_models_drop_out() -> None:
    assert q({"unknown": {"x": 1.0}}) == q() == q({}) == fast_quality(GOOD.as_dict())
    assert q({"nima": {"no_mean_here": 1.0}}) == q()
    # a single model that ran is the models' term on its own
    assert q({"nima": {"mean": 1.0}}) < q() < q({"nima": {"mean": 10.0}})


def test_fuse_is_the_weighted_mean_of_measured_ranks() -> None:
    # every input's knots 0..1, so a raw value is its own rank; weights: sharpness 0.75, models 0.25
    table = FusionTable(tuple(tuple(QUANTILES) for _ in FUSION_INPUTS), (0.75, 0, 0, 0, 0, 0.25))
    raw = np.full((3, len(FUSION_INPUTS)), np.nan)
    raw[:2, FUSION_INPUTS.index("sharpness")] = 0.4
    raw[0, [FUSION_INPUTS.index(n) for n in ("nima", "diqa", "brisque")]] = (0.9, 0.2, 0.6)
    assert table.fuse(raw) == pytest.approx([0.75 * 0.4 + 0.25 * 0.6, 0.4, 0.5])


def test_real_blur_and_noise_rank_in_order() -> None:
    """With the real fast checks (no models), stronger blur and stronger noise score lower."""
    from iqa_photos import degraded

    for kind in ("gaussian_blur", "white_noise"):
        scores = []
        for level in (0.0, 2.0, 4.0):
            a = assess(degraded(kind, level))
            scores.append(overall_quality(a.metrics.as_dict(), a.hints))
        assert scores[0] > scores[1] > scores[2], (kind, scores)
