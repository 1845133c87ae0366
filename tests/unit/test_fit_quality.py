"""scripts/fit_quality.py: the rank tables and the weight fit, on synthetic rows (no photos, no models)."""
from __future__ import annotations

import numpy as np
import pytest

from livecheck.dev import load_script

pytest.importorskip("scipy", reason="scipy (the eval extra) not installed")


@pytest.fixture()
def fit():
    return load_script("fit_quality")


def test_knots_are_strictly_increasing_even_for_a_clamped_input(fit) -> None:
    raw = np.column_stack([np.r_[np.zeros(50), np.linspace(0, 1, 50)], np.linspace(-5, 5, 100)])
    knots = fit.quantile_knots(raw)
    assert all(np.all(np.diff(k) > 0) for k in knots)
    assert knots[1][0] == -5 and knots[1][-1] == pytest.approx(5)


def _rows(fit, rng: np.random.Generator) -> tuple[list, np.ndarray]:
    """20 photos x 2 kinds x 4 levels: input 0 ranks both kinds, input 1 only kind a, input 2 is noise."""
    rows, ranks = [], []
    for p in range(20):
        rows.append(fit.Row(f"p{p}", "clean", 0.0, 1.0, {}, {}, 0))
        ranks.append([0.95, 0.95, rng.uniform()])
        for kind in ("a", "b"):
            for level in (1.0, 2.0, 3.0, 4.0):
                good = 1.0 - level / 5.0
                rows.append(fit.Row(f"p{p}", kind, level, good, {}, {}, 0))
                ranks.append([good + rng.normal(0, 0.02), good if kind == "a" else 1.0 - good, rng.uniform()])
    return rows, np.array(ranks)


def test_weights_go_to_the_input_that_ranks_every_kind(fit) -> None:
    rng = np.random.default_rng(0)
    rows, ranks = _rows(fit, rng)
    better, worse, pair_w = fit._pairs(rows, rng)
    assert all(rows[b].photo == rows[w].photo and rows[b].level < rows[w].level
               for b, w in zip(better[:50], worse[:50], strict=True))  # within-group pairs come first
    w = fit.fit_weights(ranks, better, worse, pair_w, prior=np.full(3, 1 / 3), strength=0.0)
    assert w.sum() == pytest.approx(1.0) and np.all(w >= 0)
    assert w[0] > 0.8 and w[0] > w[1] and w[0] > w[2]
    fused = ranks @ w
    per_kind = fit.per_kind_srocc(rows, fused)
    assert per_kind["a"] > 0.95 and per_kind["b"] > 0.9
