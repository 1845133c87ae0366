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


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One learned model, declared once: where it lives, what its score means, how often it runs."""

    name: ModelName
    module: str
    class_name: str
    metric: MetricInfo
    """Its headline output: which key, which direction is better, over what range (pyiqa-style)."""
    rate_hz: float
    """How often the live pipeline runs it by default, per second of the source's own time."""
    whole_frame: bool = False
    """It reads every pixel, so ``load_model`` gives it the documented analysis size (its cost
    would grow with the frame); the others see a fixed-size view of the frame."""


MODEL_SPECS: dict[ModelName, ModelSpec] = {spec.name: spec for spec in (
    ModelSpec(ModelName.NIMA, "livecheck.models.nima", "NimaModel", MetricInfo(
        name="nima", higher_is_better=True, lower=1.0, upper=10.0, key="mean",
        description="NIMA mean score 1..10 (MobileNetV2, trained on synthetic distortions "
                    "against a full-reference MS-SSIM x SSIM target)"), rate_hz=4.0),
    ModelSpec(ModelName.DIQA, "livecheck.models.diqa", "DiqaModel", MetricInfo(
        name="diqa", higher_is_better=True, lower=0.0, upper=1.0, key="score",
        description="DIQA quality 0..1 (small CNN on high-passed grey + chroma, trained on synthetic "
                    "distortions against a full-reference MS-SSIM x SSIM target)"), rate_hz=2.0),
    ModelSpec(ModelName.BRISQUE, "livecheck.models.brisque", "BrisqueModel", MetricInfo(
        name="brisque", higher_is_better=False, lower=0.0, upper=100.0, key="score",
        description="BRISQUE distortion score, ~0 (clean) .. 100 (badly distorted); LOWER is "
                    "better. Natural-scene statistics + epsilon-SVR trained on synthetic camera "
                    "distortions against a full-reference MS-SSIM x SSIM target"),
        rate_hz=2.0, whole_frame=True),
)}


def model_spec(name: str) -> ModelSpec | None:
    """The declaration of the model called ``name`` (a ``ModelName`` value), or None."""
    try:
        return MODEL_SPECS[ModelName(name)]
    except ValueError:
        return None


def load_model(name: ModelName, weights_dir: Path | None = None, *, full_resolution: bool = False) -> QualityModel:
    """Load one model; raises ModelUnavailable with a one-line reason if it cannot be used.

    A ``whole_frame`` model (BRISQUE) gets its documented analysis size (``ANALYSIS_SIDE``)
    unless ``full_resolution`` is asked for. NIMA and DIQA always see a central crop at native
    resolution (see ``runtime.model_view``).
    """
    spec = MODEL_SPECS[name]
    try:
        cls = getattr(importlib.import_module(spec.module), spec.class_name)
    except (ImportError, AttributeError) as exc:
        raise ModelUnavailable(f"{name}: not available in this build ({exc})") from exc
    if spec.whole_frame:
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


__all__ = ["MODEL_SPECS", "MetricInfo", "ModelName", "ModelOutput", "ModelSpec", "ModelUnavailable",
           "QualityModel", "load_model", "model_spec",
           "run_model"]
