"""What every learned quality model declares and offers (pyiqa-style: direction and range)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True, slots=True)
class MetricInfo:
    """What a model's headline number means: declared once, in ``livecheck.models.MODEL_SPECS``."""

    name: str
    higher_is_better: bool
    lower: float
    upper: float
    description: str
    key: str = "score"
    """The key of the headline number in the model's ``score()`` output."""


class ModelUnavailable(RuntimeError):
    """A model file is missing, truncated or not a model: the fast checks carry on without it."""


class QualityModel(Protocol):
    """A no-reference quality model. ``score`` takes any-size BGR uint8 and returns plain floats."""

    info: MetricInfo
    input: str
    """What part and size of the frame the model looks at, in words (shown in reports)."""

    def score(self, bgr: np.ndarray) -> dict[str, float]: ...

    def close(self) -> None: ...
