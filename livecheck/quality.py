"""One number for "how good is this shot": 0 (useless) to 100 (no visible problem).

From the fast checks alone, the score is 100 times the product of four factors in [0, 1], each a
clamped linear ramp of one metric (sharpness, exposure, noise, contrast), times 0.85 for every hint
shown. Noise is the worse of two ramps: colour noise (1 to 8 grey levels) and luma noise (5 to 20),
luma's ramp set higher because fine texture reads as luma noise too (as the ``noisy`` hint does).
When learned models ran, each model's headline score is mapped to 0..100 from the range and
direction its declaration gives (NIMA mean 1..10 -> 0..100; DIQA score 0..1 -> 0..100; BRISQUE
~0..100 lower-better -> 100 - score) and their mean is averaged
with the fast score, half and half. Every factor moves one way: a sharper, better exposed, cleaner
frame, or a higher model score, never lowers the result.
"""
from __future__ import annotations

from collections.abc import Mapping

from livecheck.hint import Hint
from livecheck.models import model_spec

_HINT_FACTOR = 0.85
_MODEL_WEIGHT = 0.5


def _ramp(x: float, zero_at: float, one_at: float) -> float:
    """0 at ``zero_at``, 1 at ``one_at``, linear between, clamped (either direction)."""
    t = (x - zero_at) / (one_at - zero_at)
    return min(1.0, max(0.0, t))


def fast_quality(metrics: Mapping[str, float], hints: frozenset[Hint] = frozenset()) -> float:
    """0..100 from the fast-check metrics and the hints shown."""
    sharp = 1.0
    if metrics["edge_strength"] >= 1.5:  # no edges: sharpness cannot be judged, so not penalised
        sharp = 0.2 + 0.8 * _ramp(metrics["sharpness"], 1.2, 2.2)
    mean = metrics["mean_luma"]
    exposure = min(_ramp(mean, 10.0, 80.0), _ramp(mean, 240.0, 170.0))
    exposure *= 1.0 - 0.5 * min(1.0, 2.0 * (metrics["clipped_dark"] + metrics["clipped_bright"]))
    noise = 0.3 + 0.7 * min(_ramp(metrics["colour_noise"], 8.0, 1.0),
                            _ramp(metrics["luma_noise"], 20.0, 5.0))
    contrast = 0.4 + 0.6 * _ramp(metrics["contrast"], 10.0, 60.0)
    score = 100.0 * sharp * exposure * noise * contrast * _HINT_FACTOR ** len(hints)
    return min(100.0, max(0.0, score))


def model_quality(name: str, values: Mapping[str, float]) -> float | None:
    """One model's headline output on the 0..100 higher-is-better scale, from its declared range
    and direction (``livecheck.models.MODEL_SPECS``); None for an unknown model or a missing value."""
    spec = model_spec(name)
    if spec is None or spec.metric.key not in values:
        return None
    m = spec.metric
    low, high = (m.lower, m.upper) if m.higher_is_better else (m.upper, m.lower)
    return 100.0 * _ramp(values[m.key], low, high)


def overall_quality(metrics: Mapping[str, float], hints: frozenset[Hint],
                    models: Mapping[str, Mapping[str, float]] | None = None) -> float:
    """0..100, higher is better: the fast checks, blended half and half with the models' mean."""
    fast = fast_quality(metrics, hints)
    scores = [q for name, values in (models or {}).items()
              if (q := model_quality(name, values)) is not None]
    if not scores:
        return fast
    return (1.0 - _MODEL_WEIGHT) * fast + _MODEL_WEIGHT * sum(scores) / len(scores)
