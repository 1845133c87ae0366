"""Learned no-reference quality models (NIMA, DIQA, BRISQUE), loaded by name.

Each model module is imported only when asked for, so the fast path never pays for MediaPipe.
"""
from __future__ import annotations

import importlib
from enum import Enum
from pathlib import Path

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


def load_model(name: ModelName, weights_dir: Path | None = None) -> QualityModel:
    """Load one model; raises ModelUnavailable with a one-line reason if it cannot be used."""
    module_name, class_name = _IMPLEMENTATIONS[name]
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise ModelUnavailable(f"{name}: not available in this build ({exc})") from exc
    return cls(weights_dir=weights_dir)


__all__ = ["MetricInfo", "ModelName", "ModelUnavailable", "QualityModel", "load_model"]
