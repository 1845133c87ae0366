"""The numbers behind every hint, with their defaults, and how users override them.

Each hint has an *on* threshold (the frame condition that raises it) and a looser *off* threshold
(the condition that must hold before it clears): hysteresis, so a metric wobbling around one value
cannot make a hint flicker. The time side (how long a condition must hold) is in ``on_delay`` and
``off_delay``; :class:`livecheck.hint_engine.HintEngine` applies both.

Overrides come from a TOML file (a ``[thresholds]`` table) and from ``NAME=VALUE`` strings (the
command line's ``--set``), in that order; ``--disable HINT`` switches a hint off entirely.
Every mistake (unknown name, bad value, malformed TOML, off threshold on the wrong side of on)
raises ``ValueError`` with a one-line message.
"""
from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from livecheck.hint import HINT_SPECS, Hint, parse_hint

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


OPT_IN: frozenset[Hint] = frozenset(h for h, spec in HINT_SPECS.items() if spec.opt_in)
"""Hints off unless asked for (``--enable backlit``, or ``--strictness strict``): ``backlit`` finds
about two thirds of real backlit photos but would raise a hint on 1% more of the good ones, and
``low_contrast`` finds every synthetic veil of t = 0.5 but would raise one on a good photo of a
blank wall, so neither is on by default (scripts/eval_issue15.py)."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Hint thresholds. Metric names and units are those of :class:`livecheck.fastchecks.FrameMetrics`."""

    blurry_on: float = 1.8
    """``sharpness`` (at viewing scale, :mod:`livecheck.sharpness`) below this raises ``blurry``.
    Sharp photos read 2.0-4.0 fitted to a screen, text 4-7; a Gaussian blur of sigma 2.5 viewing
    pixels reads about 1.35. Chosen on all the blur sets (scripts/eval_hints.py: 1.81); refitted
    with each set left out it lands at 1.76-1.81."""
    blurry_off: float = 1.95
    """``blurry`` clears once ``sharpness`` is above this."""
    blurry_acuity_on: float = 0.2
    """``acuity`` (:mod:`livecheck.sharpness`) below this raises ``blurry`` too: a streak across thin
    strokes (text), which the sharpness reads as crisp. Sharp photos read 0.2-0.45; a streak of 8
    viewing pixels across text 0.1-0.2. Refitted with each blur set left out (scripts/eval_hints.py)
    it lands at 0.201-0.204: just under the clean photos' lowest reading."""
    blurry_acuity_off: float = 0.215
    """``blurry`` clears once ``acuity`` is above this too (and ``sharpness`` above ``blurry_off``)."""
    blurry_min_edges: float = 1.5
    """Blur is judged only when ``edge_strength`` (grey levels per analysis pixel on the strongest
    edges) reaches this: a blank wall or a lens cap has no edges to be sharp or blurred. A shown
    ``blurry`` stays while ``edge_strength`` is above half of it (hysteresis on the guard too)."""

    motion_spread: float = 0.22
    """A blurry frame's ``blur_spread`` above this makes its ``blur_kind`` ``motion`` (hold still),
    else ``focus`` (tap to focus). Chosen leave-one-dataset-out on the viewing-scale synthetic motion
    and defocus blurs (scripts/eval_issue15.py)."""

    dark_on: float = 50.0
    """``mean_luma`` (0-255) below this raises ``too_dark``: about 1.3 stops under a mid-grey
    exposure (~118)."""
    dark_off: float = 58.0
    """``too_dark`` clears once ``mean_luma`` is above this."""

    bright_on: float = 188.0
    """``mean_luma`` above this raises ``too_bright``, but only while highlights clip (see
    ``bright_p95``): a bright but unclipped frame (snow, a white page) is well exposed."""
    bright_off: float = 180.0
    """``too_bright`` clears once ``mean_luma`` is below this."""
    bright_p95: float = 250.0
    """``too_bright`` needs the 95th luma percentile at or above this (the brightest 5% clipped)."""
    bright_p95_off: float = 240.0
    """A shown ``too_bright`` stays while the 95th luma percentile is at or above this."""
    washed_on: float = 165.0
    """``mean_luma`` above this raises ``too_bright`` on a pale, flat frame too, with few pixels
    blown: one whose highlights reach ``washed_p95`` while its whole range (``contrast``) spans no
    more than ``washed_contrast``, so that even its darkest parts are grey. A bright scene in good
    light (a beach, snow, a white page) keeps its dark detail or stays short of white, and is not
    raised."""
    washed_off: float = 158.0
    """A ``too_bright`` raised on a washed-out frame clears once ``mean_luma`` is below this."""
    washed_p95: float = 238.0
    """The 95th luma percentile a washed-out frame reaches: its highlights are near white."""
    washed_contrast: float = 150.0
    """The most ``contrast`` (``p95 - p05``) a washed-out frame has: it is flat. The middle of the gap
    between the washed-out frames (up to 141) and the brightest well-exposed photos of the clean
    sets (from 157: a beach, giraffes under a bright sky, a lion on sunlit rock)."""

    noisy_on: float = 2.1
    """``colour_noise`` (grey levels per channel at viewing scale, white-noise equivalent) above this
    raises ``noisy``. Colour noise is told apart from texture well, so this can be low: sigma 2 is
    faint but visible grain on a flat wall. Chosen leave-one-dataset-out (2.08-2.41 held out)."""
    noisy_off: float = 1.2
    """``noisy`` clears once ``colour_noise`` is below this (and ``luma_noise`` below its own)."""
    noisy_luma_on: float = 7.0
    """``luma_noise`` above this raises ``noisy`` too. High, because fine texture (grass, gravel,
    film grain) reads as luma noise of 2-8; luma-only noise this strong (grey frames, video whose
    codec dropped the colour noise) is unmistakable."""
    noisy_luma_off: float = 1.5
    """A shown ``noisy`` stays while ``luma_noise`` is above this. Far below ``noisy_luma_on`` on
    purpose: video codecs carry noise in full only in key frames and smooth it away in the frames
    between, so a noisy clip reads 1.5-4 there and 10 in key frames."""

    backlit_on: float = 0.25
    """``dark_mass`` (:mod:`livecheck.lighting`: the share of the coarse picture darker than 40) at
    or above this raises ``backlit``, with a bright surround (``backlit_bright``) above or beside
    the dark (``backlit_below``) in a frame not too dark as a whole (``dark_on``). Chosen
    leave-one-dataset-out (scripts/eval_issue15.py)."""
    backlit_off: float = 0.2
    """A shown ``backlit`` stays while ``dark_mass`` is at or above this (and ``bright_mass`` at or
    above half of ``backlit_bright``)."""
    backlit_bright: float = 0.04
    """The share of the coarse picture brighter than 170 that a backlit frame has at least: the
    sky or the window behind the subject."""
    backlit_below: float = -0.1
    """How far (frame heights) the dark mass sits below the bright at least: a backlit subject
    stands under its sky or before its window, while a bright subject before a dark backdrop has
    the dark around and above it."""

    low_contrast_on: float = 0.34
    """``local_contrast`` (:mod:`livecheck.lighting`: 0-1, how much contrast the frame's edges keep
    in linear light) below this raises ``low_contrast`` (haze, fog, a smeared lens), while the
    blacks are lifted (``low_contrast_black``). Chosen with ``low_contrast_black`` on the synthetic
    veils of scripts/eval_issue15.py, the same with each source set left out (0.34 / 90 each time)."""
    low_contrast_off: float = 0.39
    """A shown ``low_contrast`` stays while ``local_contrast`` is below this."""
    low_contrast_black: float = 90.0
    """``low_contrast`` needs the black level (``p01``, luma 0-255) at or above this: a veil lifts
    the blacks of the whole frame, while a scene that is dark, or flat but clear, keeps them."""
    low_contrast_black_off: float = 80.0
    """A shown ``low_contrast`` stays while ``p01`` is at or above this."""

    hold_still_on: float = 4.0
    """``motion`` (:mod:`livecheck.motion`: viewing pixels the picture moves per frame interval) at
    or above this raises ``hold_still``: half the streak that makes a frame ``blurry`` were the
    shutter open the whole interval (8 px), so it shows while the frames are still sharp. On the
    synthetic pans of scripts/eval_hold_still.py any value from 2 to 6 tells the pans of 8 px/frame
    and more from the still, slow and moving-object clips, with each source group left out too;
    this is the middle of that range."""
    hold_still_off: float = 2.8
    """A shown ``hold_still`` stays while ``motion`` is at or above this."""

    on_delay: float = 0.3
    """Seconds a frame condition must hold before its hint shows (debounce)."""
    off_delay: float = 0.5
    """Seconds a hint's clear condition must hold before the hint goes away."""

    disabled: frozenset[Hint] = OPT_IN
    """Hints never raised (``--disable noisy``; the :data:`OPT_IN` hints unless enabled)."""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            if f.name == "disabled":
                continue
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"threshold {f.name} must be a finite number, got {value!r}")
            object.__setattr__(self, f.name, float(value))
        if not isinstance(self.disabled, frozenset) or not all(isinstance(h, Hint) for h in self.disabled):
            raise ValueError("thresholds: disabled must be a frozenset of Hint")
        # Hysteresis must be a band, not a gap: each hint declares which of its thresholds pair up.
        for band in (band for spec in HINT_SPECS.values() for band in spec.bands):
            if getattr(self, band.low) > getattr(self, band.high):
                raise ValueError(f"threshold {band.low} ({getattr(self, band.low):g}) must not exceed "
                                 f"{band.high} ({getattr(self, band.high):g})")
        for name in ("on_delay", "off_delay", "blurry_min_edges"):
            if getattr(self, name) < 0:
                raise ValueError(f"threshold {name} must not be negative, got {getattr(self, name):g}")

    def enabled(self, hint: Hint) -> bool:
        return hint not in self.disabled


class Strictness(str, Enum):
    """``--strictness``: how readily hints are raised (a preset over the thresholds)."""

    RELAXED = "relaxed"
    NORMAL = "normal"
    STRICT = "strict"

    def __str__(self) -> str:
        return self.value


PRESETS: dict[Strictness, Thresholds] = {
    Strictness.RELAXED: Thresholds(
        blurry_on=1.6, blurry_off=1.75, dark_on=40.0, dark_off=48.0, bright_on=196.0, bright_off=188.0,
        washed_on=172.0, washed_off=165.0, noisy_on=3.0, noisy_off=1.8, noisy_luma_on=9.0, noisy_luma_off=2.0),
    Strictness.NORMAL: Thresholds(),
    Strictness.STRICT: Thresholds(
        blurry_on=1.95, blurry_off=2.1, dark_on=60.0, dark_off=68.0, bright_on=180.0, bright_off=172.0,
        washed_on=158.0, washed_off=150.0, noisy_on=1.6, noisy_off=1.0, noisy_luma_on=5.5, noisy_luma_off=1.2,
        disabled=frozenset()),
}
"""The presets (README, "Strictness"): ``relaxed`` raises hints only on plain defects, ``strict``
on milder ones too, and turns on the opt-in hints (:data:`OPT_IN`)."""


def threshold_names() -> tuple[str, ...]:
    """The names accepted in TOML files and ``NAME=VALUE`` overrides."""
    return tuple(f.name for f in dataclasses.fields(Thresholds) if f.name != "disabled")


def _check_name(name: str) -> str:
    if name not in threshold_names():
        raise ValueError(f"unknown threshold {name!r} (known: {', '.join(threshold_names())})")
    return name


def _to_float(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"threshold {name} must be a number, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"threshold {name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"threshold {name} must be a finite number, got {value!r}")
    return number


def _read_toml(path: Path) -> dict[str, float]:
    try:
        with open(path, "rb") as fh:
            document = tomllib.load(fh)
    except OSError as exc:
        raise ValueError(f"cannot read thresholds file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"malformed TOML in {path}: {exc}") from None
    table = document.get("thresholds")
    if table is None:
        raise ValueError(f"{path} has no [thresholds] table")
    if not isinstance(table, dict):
        raise ValueError(f"{path}: 'thresholds' must be a table")
    return {_check_name(str(k)): _to_float(str(k), v) for k, v in table.items()}


def parse_override(text: str) -> tuple[str, float]:
    """``"dark_on=40"`` -> ``("dark_on", 40.0)``."""
    name, sep, value = text.partition("=")
    if not sep:
        raise ValueError(f"threshold override {text!r} is not NAME=VALUE")
    name = _check_name(name.strip())
    return name, _to_float(name, value.strip())


def load_thresholds(toml_path: Path | None = None, overrides: Sequence[str] = (),
                    disabled: Iterable[str] = (), enabled: Iterable[str] = (),
                    strictness: Strictness = Strictness.NORMAL) -> Thresholds:
    """The ``strictness`` preset, updated by the TOML file's ``[thresholds]`` table, then by
    ``NAME=VALUE`` overrides; the named hints enabled (the opt-in ones), then the named hints
    disabled. Raises ``ValueError`` (one line) on any mistake."""
    preset = PRESETS[strictness]
    values: dict[str, float] = {}
    if toml_path is not None:
        values.update(_read_toml(Path(toml_path)))
    values.update(parse_override(text) for text in overrides)
    off = (preset.disabled - {parse_hint(name) for name in enabled}) | {parse_hint(name) for name in disabled}
    return dataclasses.replace(preset, **values, disabled=frozenset(off))
