"""NimaModel: the shipped model loads, declares its range, and ranks clear degradations."""
from __future__ import annotations

import numpy as np
import pytest
from support.photos import clean_photo, degraded, textured_frame

from livecheck.models import ModelName, load_model
from livecheck.models.nima import NimaModel


@pytest.fixture(scope="module")
def nima():
    model = load_model(ModelName.NIMA)
    yield model
    model.close()


def test_info_declares_direction_and_range(nima) -> None:
    assert isinstance(nima, NimaModel)
    assert nima.info.higher_is_better and (nima.info.lower, nima.info.upper) == (1.0, 10.0)


def test_score_is_the_mean_in_range(nima) -> None:
    out = nima.score(textured_frame())
    assert set(out) == {"mean"}  # no std: it only follows the mean (see nima.py)
    assert 1.0 <= out["mean"] <= 10.0
    p = nima.distribution(np.zeros((1080, 1920, 3), np.uint8))
    assert p.shape == (10,) and abs(p.sum() - 1.0) < 1e-6


@pytest.mark.parametrize("kind", ["gaussian_blur", "white_noise", "jpeg", "low_contrast"])
def test_heavier_degradation_scores_lower(nima, kind: str) -> None:
    clean = nima.score(clean_photo())["mean"]
    mild = nima.score(degraded(kind, 1.0))["mean"]
    heavy = nima.score(degraded(kind, 5.0))["mean"]
    assert clean > heavy and mild > heavy
