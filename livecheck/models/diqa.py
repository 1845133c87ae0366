"""DIQA (Kim et al. 2019): a small CNN on high-passed grey (+ chroma) that regresses a 0..1 score.

livecheck's own model, trained in two stages (objective error map, then score) on synthetically
distorted photos against a full-reference target (see models/DIQA.md), not human opinion.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from livecheck.models import MODEL_SPECS, ModelName
from livecheck.models.runtime import TfliteRunner, model_view, view_description, weights_path

MODEL_FILE = "diqa.tflite"
INPUT_SIZE = 224


class DiqaModel:
    """``score(bgr) -> {"score": 0..1}``; higher is better. One thread only."""

    info = MODEL_SPECS[ModelName.DIQA].metric

    input = view_description(INPUT_SIZE)

    def __init__(self, weights_dir: Path | None = None) -> None:
        self._runner = TfliteRunner(weights_path(MODEL_FILE, weights_dir), INPUT_SIZE)

    @property
    def backend(self) -> str:
        return self._runner.backend.value

    def score(self, bgr: np.ndarray) -> dict[str, float]:
        out = self._runner.run(model_view(bgr, INPUT_SIZE))
        return {"score": float(np.clip(out[0], 0.0, 1.0))}

    def close(self) -> None:
        self._runner.close()
