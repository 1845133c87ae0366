"""Learned no-reference quality models (NIMA, DIQA, BRISQUE), loaded by name.

Each model module is imported only when asked for, so the fast path never pays for MediaPipe.
"""
from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import numpy as np

from livecheck.imageio import to_bgr8
from livecheck.models.base import MetricInfo, ModelUnavailable, QualityModel


class ModelName(str, Enum):
    NIMA = "nima"
    DIQA = "diqa"
    BRISQUE = "brisque"

    def __str__(self) -> str:
        return self.value


_IMPLEMENTATIONS: dict[ModelName, tuple[str, str]] = {
    ModelName.NIMA: ("livecheck.models.nima", "NimaModel"),
    ModelName.DIQA: ("livecheck.models.diqa", "DiqaModel"),
    ModelName.BRISQUE: ("livecheck.models.brisque", "BrisqueModel"),
}


def load_model(name: ModelName, weights_dir: Path | None = None, *, full_resolution: bool = False) -> QualityModel:
    """Load one model; raises ModelUnavailable with a one-line reason if it cannot be used.

    BRISQUE looks at the whole frame, so its cost grows with the pixel count: it gets its
    documented analysis size (``BrisqueModel.ANALYSIS_SIDE``) unless ``full_resolution`` is asked
    for. NIMA and DIQA always see a central crop at native resolution (see ``runtime.model_view``).
    """
    module_name, class_name = _IMPLEMENTATIONS[name]
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise ModelUnavailable(f"{name}: not available in this build ({exc})") from exc
    if name is ModelName.BRISQUE:
        return cls(weights_dir=weights_dir, max_side=None if full_resolution else cls.ANALYSIS_SIDE)
    return cls(weights_dir=weights_dir)


@dataclass(frozen=True, slots=True)
class ModelOutput:
    """One model's answer for one image: its values, or (``values`` empty) why it has none."""

    values: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    """One line; set when the model raised or returned something that is not a finite number."""


def run_model(model: QualityModel, image: np.ndarray) -> ModelOutput:
    """``model.score(image)`` for any picture the fast checks take (grey, BGR or BGRA), never raising.

    Every caller (``score``, the pipeline's model thread and its offline worker) goes through
    here, so a model that fails on one frame or file costs that model's entry for that frame
    and nothing else: the other models, frames and files go on. Grey and BGRA pictures are
    made BGR first, because the models' own ``score`` takes BGR only.
    """
    try:
        values = {str(k): float(v) for k, v in model.score(to_bgr8(image)).items()}
    except Exception as exc:
        return ModelOutput(error=_one_line(exc))
    not_finite = sorted(k for k, v in values.items() if not math.isfinite(v))
    if not_finite:
        # NaN or infinity would also be invalid JSON, and would poison the blended quality
        return ModelOutput(error=f"returned a value that is not a finite number ({', '.join(not_finite)})")
    return ModelOutput(values)


def _one_line(exc: Exception) -> str:
    """The first non-blank line of the message (OpenCV's run over several), or the type's name."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


__all__ = ["MetricInfo", "ModelName", "ModelOutput", "ModelUnavailable", "QualityModel", "load_model",
           "run_model"]
