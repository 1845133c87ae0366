"""Thresholds fitted to one camera: its own noise floor and the sharpness it gives a good scene.

A camera pointed at a good scene (lit, in focus, with some detail) shows what "fine" reads on it:
a webcam's sharpest frames read softer than a DSLR's, an old sensor's clean frames noisier. The
defaults are set for cameras in general; :func:`fit` moves the blur and noise thresholds to the
camera's own readings, with margins (the ``*_MARGIN`` constants) so that its good frames stay
clear and a real defect still shows:

* ``blurry_on`` = ``SHARPNESS_MARGIN`` x the scene's median sharpness, within ``BLURRY_ON_RANGE``
  (a sharp camera whose focus slips a little is told; a soft one is not told on every frame);
  ``blurry_off`` keeps the default band above it;
* ``noisy_on`` = ``NOISE_MARGIN`` x the camera's colour-noise floor (the 90th percentile over the
  frames), at least the default: a camera noisier than most raises ``noisy`` only when it is
  noisier than itself; ``noisy_off`` keeps the default ratio to it; the same for ``luma_noise``
  (``noisy_luma_on``; ``noisy_luma_off`` at least the floor itself).

A scene that is itself too dark, blurred or featureless says nothing about the camera:
:func:`fit` refuses it (``CalibrationRefused``, one line).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from livecheck.fastchecks import FrameMetrics
from livecheck.thresholds import Thresholds

SHARPNESS_MARGIN = 0.75
"""``blurry_on`` is this share of the good scene's sharpness (a Gaussian blur of sigma 2 viewing
pixels takes a sharp frame's reading to about half)."""
BLURRY_ON_RANGE = (1.5, 2.4)
"""``blurry_on`` stays within these: below, even a plain blur would pass; above, text and fine
detail would be the only things judged sharp."""
NOISE_MARGIN = 2.0
"""``noisy_on`` (and ``noisy_luma_on``) is at least this many times the camera's own floor."""


class CalibrationRefused(ValueError):
    """The scene watched cannot calibrate a camera (a one-line reason for the user)."""


@dataclass(frozen=True, slots=True)
class Calibration:
    thresholds: Thresholds
    frames: int
    sharpness: float
    """The scene's median sharpness."""
    colour_floor: float
    luma_floor: float
    """The camera's noise floors (90th percentile over the frames)."""

    def fitted(self) -> dict[str, float]:
        """The thresholds :func:`fit` moved, by name (what the TOML file holds)."""
        th = self.thresholds
        return {name: getattr(th, name) for name in ("blurry_on", "blurry_off", "noisy_on", "noisy_off",
                                                     "noisy_luma_on", "noisy_luma_off")}

    def to_toml(self, source: str) -> str:
        lines = [f"# livecheck calibrate {source}: {self.frames} frames of a good scene",
                 f"# measured: sharpness {self.sharpness:.3f} (median), colour_noise {self.colour_floor:.3f} and "
                 f"luma_noise {self.luma_floor:.3f} (90th percentiles)",
                 "[thresholds]"]
        lines += [f"{name} = {value:.4g}" for name, value in self.fitted().items()]
        return "\n".join(lines) + "\n"


def fit(metrics: Iterable[FrameMetrics], base: Thresholds | None = None) -> Calibration:
    """Thresholds fitted to the frames' metrics (module docstring). Raises ``CalibrationRefused``
    when there are no frames, or when the scene is too dark, featureless or blurred by ``base``'s
    own rules (medians over the frames)."""
    th = base if base is not None else Thresholds()
    ms = list(metrics)
    if not ms:
        raise CalibrationRefused("no frames to calibrate on")

    def median(name: str) -> float:
        return float(np.median([getattr(m, name) for m in ms]))

    if median("mean_luma") < th.dark_on:
        raise CalibrationRefused(f"the scene is too dark to calibrate on (mean luma {median('mean_luma'):.0f} "
                                 f"< {th.dark_on:g}): light it, or point the camera at a lit scene")
    if median("edge_strength") < th.blurry_min_edges:
        raise CalibrationRefused("the scene is featureless (no edges to judge sharpness on): point the "
                                 "camera at a scene with some detail")
    sharpness = median("sharpness")
    if sharpness < th.blurry_on:
        raise CalibrationRefused(f"the scene is blurred (sharpness {sharpness:.2f} < {th.blurry_on:g}): "
                                 "focus first, and hold the camera still")
    colour = float(np.percentile([m.colour_noise for m in ms], 90))
    luma = float(np.percentile([m.luma_noise for m in ms], 90))
    lo, hi = BLURRY_ON_RANGE
    blurry_on = min(max(SHARPNESS_MARGIN * sharpness, lo), hi)
    noisy_on = max(th.noisy_on, NOISE_MARGIN * colour)
    luma_on = max(th.noisy_luma_on, NOISE_MARGIN * luma)
    fitted = dataclasses.replace(
        th, blurry_on=blurry_on, blurry_off=blurry_on + th.blurry_off - th.blurry_on,
        noisy_on=noisy_on, noisy_off=noisy_on * th.noisy_off / th.noisy_on,
        noisy_luma_on=luma_on, noisy_luma_off=max(th.noisy_luma_off, luma))
    return Calibration(fitted, len(ms), sharpness, colour, luma)
