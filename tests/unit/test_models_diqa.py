"""DiqaModel: the shipped model loads, declares its range, and ranks clear degradations."""
from __future__ import annotations

import numpy as np
import pytest
from support.photos import clean_photo, degraded, textured_frame

from livecheck.models import ModelName, load_model
from livecheck.models.diqa import DiqaModel


@pytest.fixture(scope="module")
def diqa():
    model = load_model(ModelName.DIQA)
    yield model
    model.close()


def test_info_declares_direction_and_range(diqa) -> None:
    assert isinstance(diqa, DiqaModel)
    assert diqa.info.higher_is_better and (diqa.info.lower, diqa.info.upper) == (0.0, 1.0)


def test_score_is_in_range(diqa) -> None:
    out = diqa.score(textured_frame())
    assert set(out) == {"score"} and 0.0 <= out["score"] <= 1.0
    assert 0.0 <= diqa.score(np.zeros((1080, 1920, 3), np.uint8))["score"] <= 1.0


@pytest.mark.parametrize("kind", ["gaussian_blur", "white_noise", "jpeg", "low_contrast"])
def test_heavier_degradation_scores_lower(diqa, kind: str) -> None:
    clean = diqa.score(clean_photo())["score"]
    mild = diqa.score(degraded(kind, 1.0))["score"]
    heavy = diqa.score(degraded(kind, 5.0))["score"]
    assert clean > heavy and mild > heavy
