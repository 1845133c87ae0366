"""The measure behind scripts/eval_iqa.py: Spearman's rho with ties, 0 for a constant model."""
from __future__ import annotations

import numpy as np
import pytest

from livecheck.dev import load_script

spearman = load_script("eval_iqa").spearman


def test_perfect_and_reversed_order() -> None:
    levels = np.arange(1, 6)
    assert spearman(-levels * 3.0, -levels) == pytest.approx(1.0)
    assert spearman(levels ** 2, -levels) == pytest.approx(-1.0)


def test_constant_prediction_scores_zero() -> None:
    assert spearman(np.full(5, 0.7), -np.arange(1, 6)) == 0.0


def test_ties_use_average_ranks() -> None:
    a = np.array([1.0, 2.0, 2.0, 3.0, 4.0])
    b = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    # scipy.stats.spearmanr(a, b) = 0.974679...
    assert spearman(a, b) == pytest.approx(0.9746794, abs=1e-6)
