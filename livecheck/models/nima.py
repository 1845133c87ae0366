"""NIMA (Talebi & Milanfar 2018): a 10-bin score distribution from MobileNetV2, as mean and std.

livecheck's own model, trained on synthetically distorted photos against a full-reference target
(see models/NIMA.md): the mean estimates objective quality on a 1..10 scale, not a human rating.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from livecheck.models import MODEL_SPECS, ModelName
from livecheck.models.runtime import TfliteRunner, model_view, view_description, weights_path

MODEL_FILE = "nima.tflite"
INPUT_SIZE = 224
_SCORES = np.arange(1, 11, dtype=np.float64)


class NimaModel:
    """``score(bgr) -> {"mean": 1..10, "std": >= 0}``; higher mean is better. One thread only."""

    info = MODEL_SPECS[ModelName.NIMA].metric

    input = view_description(INPUT_SIZE)

    def __init__(self, weights_dir: Path | None = None) -> None:
        self._runner = TfliteRunner(weights_path(MODEL_FILE, weights_dir), INPUT_SIZE)

    @property
    def backend(self) -> str:
        return self._runner.backend.value

    def distribution(self, bgr: np.ndarray) -> np.ndarray:
        """The 10 probabilities over scores 1..10 (sums to 1)."""
        p = self._runner.run(model_view(bgr, INPUT_SIZE)).astype(np.float64)
        return p / p.sum()

    def score(self, bgr: np.ndarray) -> dict[str, float]:
        p = self.distribution(bgr)
        mean = float(p @ _SCORES)
        std = float(np.sqrt(max(p @ (_SCORES - mean) ** 2, 0.0)))
        return {"mean": mean, "std": std}

    def close(self) -> None:
        self._runner.close()
