"""What the analysis hands on, and its JSON: a scored file's record, a replayed frame's line.

Both contracts are written here and only here (README, "Output"): ``score_record`` for
`livecheck score`, ``FrameResult.to_json`` for `livecheck replay`; a model's entry is the same
in both (``model_json``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from livecheck.analyser import Analysis
from livecheck.hint import Hint
from livecheck.imageio import Picture
from livecheck.regions import Region
from livecheck.sharpness import BlurKind

DIGITS = 4
"""Decimals kept for metrics and model values in the JSON."""


def rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(v, DIGITS) for k, v in values.items()}


def model_json(values: dict[str, float], error: str | None) -> dict[str, Any]:
    """One model's entry: its values, or ``{"error": one line}`` where it failed on that frame."""
    return {"error": error} if error is not None else rounded(values)


def score_record(path: str, picture: Picture, analysis: Analysis, model_inputs: dict[str, str],
                 unavailable: dict[str, str]) -> dict[str, Any]:
    """The `livecheck score` record of one file. ``model_inputs``: what part of the picture each
    model looked at, in words; ``unavailable``: the models that never loaded, and why."""
    models: dict[str, Any] = {
        name: model_json(out.values, out.error) | {"input": model_inputs[name]}
        for name, out in analysis.models.items()}
    models.update({name: {"unavailable": why} for name, why in unavailable.items()})
    return {
        "path": path,
        "width": picture.width,
        "height": picture.height,
        "decode_scale": 1.0 / picture.reduction,
        "hints": sorted(h.value for h in analysis.frame_hints),
        "blur_kind": _kind(analysis.blur_kind),
        "quality": round(analysis.quality, 1),
        "metrics": rounded(analysis.metrics.as_dict()),
        "models": models,
    } | _regions_json(analysis.regions)


def _regions_json(cells: tuple[Region, ...] | None) -> dict[str, Any]:
    return {"regions": [cell.to_json() for cell in cells]} if cells is not None else {}


def _kind(kind: BlurKind | None) -> str | None:
    return kind.value if kind is not None else None


def error_record(path: object, exc: Exception | str) -> dict[str, Any]:
    """The record of a file that could not be scored (its stderr line is printed where records are)."""
    return {"path": str(path), "error": str(exc)}


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
        out = model_json(self.values, self.error)
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
    blur_kind: BlurKind | None = None
    """``motion`` or ``focus`` while the debounced hints hold ``blurry``, from this frame's metrics."""
    regions: tuple[Region, ...] | None = None
    """Each cell of the grid judged on this frame alone (no debounce); None without ``--regions``."""

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
            "blur_kind": _kind(self.blur_kind),
            "quality": round(self.quality, 1),
            "latency_ms": round(self.latency_ms, 2),
            "metrics": rounded(self.metrics),
        } | _regions_json(self.regions)
        if self.models or self.unavailable_models:
            models: dict[str, Any] = {n: s.to_json(self.t_capture) for n, s in self.models.items()}
            for name, why in self.unavailable_models.items():
                models[name] = {"unavailable": why}
            line["models"] = models
        return line
