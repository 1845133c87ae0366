"""What `livecheck score` does to one file, shared by its in-process path and its worker processes."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from livecheck.cli.stopping import StopRequest
from livecheck.fastchecks import assess
from livecheck.imageio import ImageReadError, read_image
from livecheck.models import ModelName, ModelUnavailable, QualityModel, load_model, run_model
from livecheck.pipeline import PipelineConfig
from livecheck.quality import overall_quality
from livecheck.thresholds import Thresholds
from livecheck.view import VIEW_SIZE


@dataclass
class Scorer:
    """The fast checks plus whichever learned models could be loaded, for still images."""

    thresholds: Thresholds
    models: dict[ModelName, QualityModel]
    unavailable: dict[str, str]
    view_size: int = VIEW_SIZE

    @classmethod
    def load(cls, config: PipelineConfig, stop: StopRequest | None = None, *,
             full_resolution: bool = False) -> Scorer:
        """Load the models one by one; a stop requested meanwhile skips the ones not yet begun."""
        models: dict[ModelName, QualityModel] = {}
        unavailable: dict[str, str] = {}
        for name in config.models:
            if stop is not None and stop.requested:
                break
            try:
                models[name] = load_model(name, config.weights_dir, full_resolution=full_resolution)
            except ModelUnavailable as exc:
                unavailable[name.value] = str(exc)
        return cls(config.thresholds, models, unavailable, config.view_size)

    def score(self, path: Path, image: np.ndarray) -> dict[str, Any]:
        assessment = assess(image, self.thresholds, self.view_size)
        metrics = assessment.metrics.as_dict()
        outputs = {name.value: run_model(model, image) for name, model in self.models.items()}
        model_values = {n: out.values for n, out in outputs.items() if out.error is None}
        models_json: dict[str, Any] = {
            n: ({"error": out.error} if out.error is not None else {k: round(v, 4) for k, v in out.values.items()})
            | {"input": self.models[ModelName(n)].input}
            for n, out in outputs.items()}
        models_json.update({n: {"unavailable": why} for n, why in self.unavailable.items()})
        return {
            "path": str(path),
            "width": int(image.shape[1]),
            "height": int(image.shape[0]),
            "hints": sorted(h.value for h in assessment.hints),
            "quality": round(overall_quality(metrics, assessment.hints, model_values), 1),
            "metrics": {k: round(v, 4) for k, v in metrics.items()},
            "models": models_json,
        }

    def score_entry(self, entry: Path | ImageReadError) -> dict[str, Any]:
        """The record for one entry of ``iter_image_paths``: scored, or ``{"path", "error"}``."""
        if isinstance(entry, ImageReadError):
            return error_record(entry.path, entry)
        try:
            image = read_image(entry)
        except ImageReadError as exc:
            return error_record(entry, exc)
        return self.score(entry, image)

    def close(self) -> None:
        for model in self.models.values():
            model.close()


def error_record(path: Path | str | os.PathLike[str] | None, exc: Exception | str) -> dict[str, Any]:
    """The record of a file that could not be scored (its stderr line is printed where records are)."""
    return {"path": str(path), "error": str(exc)}
