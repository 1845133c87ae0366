"""One number for "how good is this shot": 0 (useless) to 100 (no visible problem).

The score is a learned fusion of everything livecheck measures, in two separate terms:

    quality = 100 * stretch(fused) * HINT_FACTOR ** (number of hints shown)

**fused** (0..1) is a weighted mean of *ranks*. Each input -- the fast checks' sharpness, colour
noise, luma noise, exposure and contrast, and the learned models' NIMA mean, DIQA score and
BRISQUE score -- is first oriented so that higher is better (``fusion_inputs``; a model's headline
value and its direction come from its declaration in ``livecheck.models.MODEL_SPECS``), then mapped
through its own empirical distribution on the training samples (a table of its values at
``QUANTILES``, interpolated linearly): 0.3 means "as good as the worst 30% of the training samples
on this input".
Ranks make the inputs comparable whatever their units, and a rank cannot be dominated by one
input's outliers. The weights are non-negative and sum to 1, so the score can only rise when any
input gets better, and an input that was not measured (a model that is off, failed or not yet run;
sharpness on a frame with no edges to judge) simply drops out of the mean: the remaining weights
are renormalised. A last monotone stretch (``scale``, three straight pieces) puts the fused rank on
a readable 0..100: the median clean training photo reads 95, the worst 5% of the training samples
read 5 or less (a clean photo's contrast and exposure are not top-ranked, so its plain fused rank
is only ~0.8). The table and the weights are fitted by ``scripts/fit_quality.py`` on the
project's own training distortions only (so that no input's single failure drags the score down:
the weights are chosen to order, within each photo and kind of damage, every less damaged version
above every more damaged one), and ship as ``models/quality_fusion.json``.

**The hint penalty** is not fitted: each hint shown multiplies the score by ``HINT_FACTOR``, so a
user who sees a hint also sees the score drop by a fixed, explainable step, whatever the models say.

Why ranks and a mean rather than the earlier product of hand-set ramps half-averaged with the
models' mean: the ramps saturated (every mildly damaged photo read 100 on the fast side), and the
plain average of the models let the weakest model on a kind of damage pull the score below the best
one's ranking. The learned weights lean on the inputs that rank damage best across kinds.
"""
from __future__ import annotations

import bisect
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from livecheck.hint import Hint
from livecheck.models import model_spec

HINT_FACTOR = 0.85
EDGE_MIN = 1.5
"""Below this ``edge_strength`` there is nothing to judge sharpness on: the input is left out."""
FUSION_FILE = "quality_fusion.json"
FORM = ("quality = 100 * scale(sum(w_i * rank_i) / sum(w_i), both sums over the measured inputs)"
        " * 0.85 ** hints")
QUANTILES: tuple[float, ...] = tuple(i / 20 for i in range(21))

FUSION_INPUTS: tuple[str, ...] = (
    "sharpness", "colour_noise", "luma_noise", "exposure", "contrast", "nima", "diqa", "brisque",
)


def _interp(x: float, xs: tuple[float, ...], ys: tuple[float, ...]) -> float:
    """``np.interp`` for one value (clamped to the end values outside ``xs``)."""
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    i = bisect.bisect_right(xs, x)
    t = (x - xs[i - 1]) / (xs[i] - xs[i - 1])
    return ys[i - 1] + t * (ys[i] - ys[i - 1])


def _ramp(x: float, zero_at: float, one_at: float) -> float:
    """0 at ``zero_at``, 1 at ``one_at``, linear between, clamped (either direction)."""
    t = (x - zero_at) / (one_at - zero_at)
    return min(1.0, max(0.0, t))


def fusion_inputs(metrics: Mapping[str, float],
                  models: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, float]:
    """Each available input, oriented so that higher is better (raw units, before the rank map).

    ``exposure`` is the one derived input: how far the mean luma is inside a comfortable band
    (0 at black or white, 1 from 110 to 150 grey levels), times a penalty for clipped pixels, so
    both under- and over-exposure lower it.
    """
    out = {
        "colour_noise": -metrics["colour_noise"],
        "luma_noise": -metrics["luma_noise"],
        "contrast": metrics["contrast"],
    }
    if metrics["edge_strength"] >= EDGE_MIN:
        out["sharpness"] = metrics["sharpness"]
    mean = metrics["mean_luma"]
    clipped = min(1.0, 2.0 * (metrics["clipped_dark"] + metrics["clipped_bright"]))
    out["exposure"] = min(_ramp(mean, 0.0, 110.0), _ramp(mean, 255.0, 150.0)) * (1.0 - 0.5 * clipped)
    for name, values in (models or {}).items():
        spec = model_spec(name)
        if spec is not None and name in FUSION_INPUTS and spec.metric.key in values:
            value = values[spec.metric.key]
            out[name] = value if spec.metric.higher_is_better else -value
    return out


@dataclass(frozen=True)
class FusionTable:
    """The fitted fusion: per input, its values at ``QUANTILES`` (``knots``) and its weight."""

    inputs: tuple[str, ...]
    knots: tuple[tuple[float, ...], ...]
    weights: tuple[float, ...]
    scale: tuple[tuple[float, float], ...] = ((0.0, 0.0), (1.0, 1.0))
    """(fused, score) points of the final monotone stretch to 0..1, linear between."""

    def ranks(self, raw: np.ndarray) -> np.ndarray:
        """Raw inputs (samples x inputs, NaN = missing) -> ranks in 0..1 (NaN stays NaN)."""
        raw = np.atleast_2d(np.asarray(raw, np.float64))
        out = np.full(raw.shape, np.nan)
        for j, knots in enumerate(self.knots):
            ok = np.isfinite(raw[:, j])
            out[ok, j] = np.interp(raw[ok, j], knots, QUANTILES)
        return out

    def fuse(self, raw: np.ndarray) -> np.ndarray:
        """The weighted mean of the available ranks, per sample (0..1)."""
        r = self.ranks(raw)
        ok = np.isfinite(r)
        w = np.asarray(self.weights)
        den = ok @ w
        return np.where(den > 0, (np.where(ok, r, 0.0) @ w) / np.maximum(den, 1e-12), 0.5)

    def score(self, raw: np.ndarray) -> np.ndarray:
        """``fuse`` stretched by ``scale`` (0..1): what ``overall_quality`` shows, before the hints."""
        xs, ys = zip(*self.scale, strict=True)
        return np.interp(self.fuse(raw), xs, ys)

    def score_one(self, values: Mapping[str, float]) -> float:
        """``score`` for one frame's inputs (name -> raw value; missing names are not measured), in
        plain Python: the live path calls this on every analysed frame, where NumPy's per-call cost
        on eight scalars would be most of the work."""
        num = den = 0.0
        for name, knots, weight in zip(self.inputs, self.knots, self.weights, strict=True):
            x = values.get(name)
            if x is None or not math.isfinite(x):
                continue
            num += weight * _interp(x, knots, QUANTILES)
            den += weight
        return _interp(num / den if den > 0 else 0.5, *zip(*self.scale, strict=True))

    def to_json(self, **provenance: object) -> str:
        """The table as JSON, one line per input, with where it was fitted (``provenance``)."""
        inputs = ",\n".join(
            f'  {json.dumps(n)}: {json.dumps({"weight": round(w, 6), "knots": [round(k, 6) for k in kn]})}'
            for n, w, kn in zip(self.inputs, self.weights, self.knots, strict=True))
        scale = json.dumps([list(p) for p in self.scale])
        return (f'{{"form": {json.dumps(FORM)},\n "quantiles": {json.dumps(list(QUANTILES))},\n'
                f' "fitted_on": {json.dumps(provenance)},\n "scale": {scale},\n "inputs": {{\n{inputs}\n }}\n}}')

    @classmethod
    def from_json(cls, text: str) -> FusionTable:
        data = json.loads(text)
        if tuple(data["quantiles"]) != QUANTILES or set(data["inputs"]) != set(FUSION_INPUTS):
            raise ValueError("quality fusion table does not match this version of livecheck")
        items = [(n, data["inputs"][n]) for n in FUSION_INPUTS]
        return cls(tuple(n for n, _ in items), tuple(tuple(v["knots"]) for _, v in items),
                   tuple(float(v["weight"]) for _, v in items), tuple(tuple(p) for p in data["scale"]))


@lru_cache(maxsize=1)
def fusion_table() -> FusionTable:
    """The shipped table (``models/quality_fusion.json``), read once."""
    from livecheck.models.runtime import weights_path

    return FusionTable.from_json(weights_path(FUSION_FILE).read_text())


def overall_quality(metrics: Mapping[str, float], hints: frozenset[Hint],
                    models: Mapping[str, Mapping[str, float]] | None = None) -> float:
    """0..100, higher is better: the fused rank of every measured input, times the hint penalty."""
    fused = fusion_table().score_one(fusion_inputs(metrics, models))
    return min(100.0, max(0.0, 100.0 * fused * HINT_FACTOR ** len(hints)))


def fast_quality(metrics: Mapping[str, float], hints: frozenset[Hint] = frozenset()) -> float:
    """0..100 from the fast checks alone (no model measured): ``overall_quality`` without models."""
    return overall_quality(metrics, hints, None)
