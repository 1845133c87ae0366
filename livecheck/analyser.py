"""One frame in, its analysis out: the one place where checks, hints, models and quality meet.

``Analyser`` holds what judging a frame needs (the thresholds, the viewing size, the loaded
models) and nothing about a stream: no threads, no time, no debounce. ``livecheck score`` calls
:meth:`Analyser.analyse` per file; the live pipeline's worker calls :meth:`Analyser.check` per
frame and its model thread :meth:`Analyser.run_model` on the newest one, then both meet in
:meth:`Analyser.quality`. So a photo scored and the same picture replayed as a clip read the same
metrics and the same frame hints.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from livecheck.fastchecks import Assessment, FrameMetrics, assess
from livecheck.hint import Hint
from livecheck.models import ModelName, ModelOutput, ModelUnavailable, QualityModel, load_model, run_model
from livecheck.quality import overall_quality
from livecheck.regions import Grid, Region, regions
from livecheck.sharpness import BlurKind
from livecheck.thresholds import Thresholds
from livecheck.view import VIEW_SIZE

ModelLoader = Callable[[ModelName, "Path | None"], QualityModel]


@dataclass(frozen=True, slots=True)
class Analysis:
    """What one frame shows on its own: its metrics, its hints, the models' outputs and quality."""

    metrics: FrameMetrics
    frame_hints: frozenset[Hint]
    models: dict[str, ModelOutput] = field(default_factory=dict)
    """The models run on this frame, by name: values, or the error of a model that failed on it."""
    quality: float = 0.0
    blur_kind: BlurKind | None = None
    """``motion`` or ``focus`` when the frame is ``blurry``."""
    regions: tuple[Region, ...] | None = None
    """Each cell of the analyser's grid judged on its own; None when it has no grid."""


class Analyser:
    """Judges single frames; safe to share between threads as long as each model runs on one
    thread at a time (the pipeline's model thread, or the caller's)."""

    def __init__(self, thresholds: Thresholds | None = None, view_size: int = VIEW_SIZE,
                 models: Mapping[ModelName, QualityModel] | None = None,
                 unavailable: Mapping[str, str] | None = None, grid: Grid | None = None) -> None:
        self.thresholds = thresholds if thresholds is not None else Thresholds()
        self.view_size = view_size
        """Long side that larger frames are judged at (:mod:`livecheck.view`); 0 = native pixels."""
        self.models: dict[ModelName, QualityModel] = dict(models or {})
        self.unavailable: dict[str, str] = dict(unavailable or {})
        """Each model that was asked for but could not be loaded -> why, in one line."""
        self.grid = grid
        """The cells judged on their own (:mod:`livecheck.regions`); None: the whole frame only."""

    def load_models(self, names: Iterable[ModelName], weights_dir: Path | None = None, *,
                    loader: ModelLoader | None = None, full_resolution: bool = False,
                    cancelled: Callable[[], bool] = lambda: False) -> None:
        """Load the named models one by one; one that cannot be used goes to ``unavailable``.
        ``cancelled`` is asked before each, so a stop requested meanwhile skips the rest."""
        for name in names:
            if cancelled():
                break
            try:
                if loader is not None:
                    self.models[name] = loader(name, weights_dir)
                else:
                    self.models[name] = load_model(name, weights_dir, full_resolution=full_resolution)
            except ModelUnavailable as exc:
                self.unavailable[name.value] = str(exc)

    def check(self, image: np.ndarray) -> Assessment:
        """The fast checks and the hints this frame raises on its own. ``ValueError`` for a frame
        the checks cannot take (see :func:`livecheck.fastchecks.as_bgr`)."""
        return assess(image, self.thresholds, self.view_size)

    def regions(self, image: np.ndarray, whole: FrameMetrics | None = None) -> tuple[Region, ...] | None:
        """Each cell of the grid judged on its own; None when the analyser has no grid. ``whole``:
        the frame's metrics from :meth:`check`, which spares measuring the frame again."""
        if self.grid is None:
            return None
        return regions(image, self.thresholds, self.grid, self.view_size, whole)

    def run_model(self, name: ModelName, image: np.ndarray) -> ModelOutput:
        """One loaded model on one frame; never raises (a failure is the output's ``error``)."""
        return run_model(self.models[name], image)

    @staticmethod
    def quality(metrics: Mapping[str, float], hints: frozenset[Hint],
                model_values: Mapping[str, Mapping[str, float]]) -> float:
        """0..100 from the metrics (``FrameMetrics.as_dict()``), the hints shown and the values of the
        models that gave one."""
        return overall_quality(metrics, hints, model_values)

    def analyse(self, image: np.ndarray, *, with_models: bool = True) -> Analysis:
        """Everything about one frame: checks, frame hints, every loaded model (``with_models``)
        and the quality they make together."""
        assessment = self.check(image)
        models = ({name.value: self.run_model(name, image) for name in self.models} if with_models else {})
        values = {name: out.values for name, out in models.items() if out.error is None}
        return Analysis(assessment.metrics, assessment.hints, models,
                        self.quality(assessment.metrics.as_dict(), assessment.hints, values), assessment.blur_kind,
                        self.regions(image, assessment.metrics))

    def close(self) -> None:
        """Close every loaded model (idempotent)."""
        for model in self.models.values():
            model.close()
        self.models.clear()
