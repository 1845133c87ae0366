"""NIMA (Talebi & Milanfar 2018): a 10-bin score distribution from MobileNetV2, reported as its mean.

livecheck's own model, trained on synthetically distorted photos against a full-reference target
(see models/NIMA.md): the mean estimates objective quality on a 1..10 scale, not a human rating.
The distribution's spread is not reported: each training target had the same spread (a Gaussian
of std 1 around the target score), so the predicted std only follows the mean (it narrows where
the target's Gaussian is cut off near 10) and says nothing of its own (on the fit_quality training
samples: Spearman -0.93 with the mean, and what is left after a fit on the mean ranks the
full-reference target at -0.08). ``distribution`` still gives the 10 probabilities.
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
    """``score(bgr) -> {"mean": 1..10}``; higher is better. One thread only."""

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
        return {"mean": float(self.distribution(bgr) @ _SCORES)}

    def close(self) -> None:
        self._runner.close()
