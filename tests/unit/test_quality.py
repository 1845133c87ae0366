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
    assert table.inputs == FUSION_INPUTS
    assert all(w >= 0.0 for w in table.weights) and sum(table.weights) == pytest.approx(1.0, abs=1e-5)
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
    assert q(**{name: worse}) < q(**{name: better}) <= 100.0
    assert q(GOOD_MODELS, **{name: worse}) < q(GOOD_MODELS, **{name: better})


def test_too_bright_frames_score_lower() -> None:
    assert q(mean_luma=230.0) < q(mean_luma=190.0) < q(mean_luma=150.0)


def test_unjudgeable_sharpness_is_left_out_not_penalised() -> None:
    no_edges = q(sharpness=0.0, edge_strength=0.0)
    assert no_edges > q(sharpness=1.2)
    assert no_edges == q(sharpness=5.0, edge_strength=0.0)  # its value is not read at all


def test_each_hint_is_a_fixed_factor() -> None:
    base = q(GOOD_MODELS)
    assert q(GOOD_MODELS, hints=frozenset({Hint.NOISY})) == pytest.approx(base * HINT_FACTOR)
    assert q(GOOD_MODELS, hints=frozenset({Hint.NOISY, Hint.BLURRY})) == pytest.approx(base * HINT_FACTOR**2)


@pytest.mark.parametrize("name, key, worse, better", [
    ("nima", "mean", 4.0, 8.0), ("diqa", "score", 0.5, 0.8), ("brisque", "score", 40.0, 10.0)])
def test_each_model_moves_the_score_its_own_way(name: str, key: str, worse: float, better: float) -> None:
    others = {n: v for n, v in GOOD_MODELS.items() if n != name}
    assert q(others | {name: {key: worse}}) < q(others | {name: {key: better}})


def test_missing_and_unknown_models_drop_out() -> None:
    assert q({"unknown": {"x": 1.0}}) == q() == q({}) == fast_quality(GOOD.as_dict())
    assert q({"nima": {"error_free_but_no_mean": 1.0}}) == q()
    # a model that ran pulls the score towards its own rank
    assert q({"nima": {"mean": 1.0}}) < q() < q({"nima": {"mean": 10.0}})


def test_fuse_is_the_weighted_mean_of_measured_ranks() -> None:
    table = FusionTable(("a", "b"), (tuple(np.linspace(0, 1, 21)), tuple(np.linspace(0, 10, 21))), (0.75, 0.25))
    fused = table.fuse(np.array([[0.4, 10.0], [0.4, np.nan], [np.nan, np.nan]]))
    assert fused == pytest.approx([0.75 * 0.4 + 0.25 * 1.0, 0.4, 0.5])


def test_real_blur_and_noise_rank_in_order() -> None:
    """With the real fast checks (no models), stronger blur and stronger noise score lower."""
    from support.photos import degraded

    for kind in ("gaussian_blur", "white_noise"):
        scores = []
        for level in (0.0, 2.0, 4.0):
            a = assess(degraded(kind, level))
            scores.append(overall_quality(a.metrics.as_dict(), a.hints))
        assert scores[0] > scores[1] > scores[2], (kind, scores)


def test_one_frame_path_matches_the_table() -> None:
    """``overall_quality``'s plain-Python path gives what the vectorised ``FusionTable.score`` does,
    for inputs inside, outside and missing from the rank tables."""
    table = fusion_table()
    rng = np.random.default_rng(1)
    for _ in range(100):
        values = {n: float(rng.uniform(k[0] - 1.0, k[-1] + 1.0))
                  for n, k in zip(FUSION_INPUTS, table.knots, strict=True) if rng.uniform() < 0.8}
        raw = np.array([[values.get(n, np.nan) for n in FUSION_INPUTS]])
        assert table.score_one(values) == pytest.approx(float(table.score(raw)[0]), abs=1e-12)
