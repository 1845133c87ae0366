"""What the analysis worker hands to whoever owns the loop (headless printer, JSON writer, Qt app)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from livecheck.hint import Hint


@dataclass(frozen=True, slots=True)
class ModelScore:
    """One model's output for one frame, stamped with that frame's sequence number and time.

    ``error`` (one line) is set, and ``values`` empty, when the model failed on that frame.
    """

    name: str
    values: dict[str, float]
    seq: int
    t_capture: float
    latency_ms: float
    error: str | None = None

    def to_json(self, now: float | None = None) -> dict[str, Any]:
        out: dict[str, Any] = ({"error": self.error} if self.error is not None
                               else {k: round(v, 4) for k, v in self.values.items()})
        out["seq"] = self.seq
        if now is not None:
            out["age_ms"] = round((now - self.t_capture) * 1000.0, 1)
        return out


@dataclass(frozen=True, slots=True)
class FrameResult:
    seq: int
    t_media: float
    t_capture: float
    t_done: float
    metrics: dict[str, float]
    frame_hints: frozenset[Hint]
    """Hints of this frame alone (no debounce)."""
    hints: frozenset[Hint]
    """Debounced, hysteresis-filtered hints: what a user should be shown."""
    quality: float
    models: dict[str, ModelScore] = field(default_factory=dict)
    unavailable_models: dict[str, str] = field(default_factory=dict)
    image: np.ndarray | None = None
    """The analysed frame, kept only when a preview asked for it."""

    @property
    def latency_ms(self) -> float:
        return (self.t_done - self.t_capture) * 1000.0

    def to_json(self) -> dict[str, Any]:
        """The `livecheck replay` line (a contract: see README, "Output")."""
        line: dict[str, Any] = {
            "frame": self.seq,
            "t": round(self.t_media, 4),
            "hints": sorted(h.value for h in self.hints),
            "frame_hints": sorted(h.value for h in self.frame_hints),
            "quality": round(self.quality, 1),
            "latency_ms": round(self.latency_ms, 2),
            "metrics": {k: round(v, 4) for k, v in self.metrics.items()},
        }
        if self.models or self.unavailable_models:
            models: dict[str, Any] = {n: s.to_json(self.t_capture) for n, s in self.models.items()}
            for name, why in self.unavailable_models.items():
                models[name] = {"unavailable": why}
            line["models"] = models
        return line
