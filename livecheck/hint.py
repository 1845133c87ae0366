"""The hints, each declared once: its name, its rule, its thresholds and what its badge says.

``Hint`` is the vocabulary (the string values are part of the JSON contract: never rename them).
``HINT_SPECS`` holds one :class:`HintSpec` per hint; everything else reads it: the per-frame
hints and the hint engine (``rule``), the validation of the thresholds (``bands``), and the
overlay's badges (``title``, ``action``, ``icon``, ``colour``). Adding a hint is a member here,
its spec, its threshold fields in :class:`livecheck.thresholds.Thresholds`, and its measure.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from livecheck.sharpness import BlurKind

if TYPE_CHECKING:  # the rules read these; importing them here would be circular
    from livecheck.fastchecks import FrameMetrics
    from livecheck.thresholds import Thresholds


class Hint(str, Enum):
    BLURRY = "blurry"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    NOISY = "noisy"
    BACKLIT = "backlit"
    HOLD_STILL = "hold_still"
    LOW_CONTRAST = "low_contrast"

    def __str__(self) -> str:  # so f"{hint}" and json give the contract string
        return self.value


def parse_hint(name: str) -> Hint:
    """Turn a user-supplied hint name into a Hint, with a clear error listing the known names."""
    try:
        return Hint(name.strip().lower())
    except ValueError:
        known = ", ".join(h.value for h in Hint)
        raise ValueError(f"unknown hint {name!r} (known hints: {known})") from None


class Icon(Enum):
    """The picture on a hint's badge (the overlay paints each one)."""

    BLUR = "blur"
    MOON = "moon"
    SUN = "sun"
    GRAIN = "grain"
    BACKLIGHT = "backlight"
    SHAKE = "shake"
    HAZE = "haze"


Rule = Callable[["FrameMetrics", "Thresholds", bool], bool]
"""``rule(metrics, thresholds, holding)``: with ``holding=False``, may the hint be raised on this
frame (its *on* rule)? With ``holding=True``, should a shown hint stay (its looser *off* rule)?"""


@dataclass(frozen=True, slots=True)
class Band:
    """One hysteresis pair of threshold names: ``low`` must not exceed ``high``, so the off
    threshold sits on the "clear" side of the on one (a band, not a gap)."""

    low: str
    high: str


@dataclass(frozen=True, slots=True)
class HintSpec:
    hint: Hint
    rule: Rule
    bands: tuple[Band, ...]
    """The hysteresis pairs among the thresholds the rule reads (checked by ``Thresholds``)."""
    title: str
    action: str
    """What to do about it, in plain words (the badge reads "title: action")."""
    icon: Icon
    colour: tuple[int, int, int]
    """The badge's RGB colour."""
    opt_in: bool = False
    """Off unless asked for (``--enable``, ``--strictness strict``): a hint not yet good enough to be on
    by default."""
    regional: bool = True
    """Judged per cell of the region grid too (a defect of a part of the picture, not of its lighting
    as a whole)."""


def _blurry(m: FrameMetrics, th: Thresholds, holding: bool) -> bool:
    # Blur is judged only where there are edges; the guard has its own hysteresis (half of it). Soft
    # edges (sharpness) or, across thin strokes, a streak that leaves them steep but faint (acuity).
    if holding:
        return m.edge_strength >= th.blurry_min_edges / 2 and (
            m.sharpness < th.blurry_off or m.acuity < th.blurry_acuity_off)
    return m.edge_strength >= th.blurry_min_edges and (m.sharpness < th.blurry_on or m.acuity < th.blurry_acuity_on)


def _too_dark(m: FrameMetrics, th: Thresholds, holding: bool) -> bool:
    return m.mean_luma < (th.dark_off if holding else th.dark_on)


def _too_bright(m: FrameMetrics, th: Thresholds, holding: bool) -> bool:
    # Two ways to be over-exposed: highlights blown, or the whole frame pale and flat (washed out).
    limit, p95 = (th.bright_off, th.bright_p95_off) if holding else (th.bright_on, th.bright_p95)
    blown = m.p95 >= p95 and m.mean_luma > limit
    washed = (m.mean_luma > (th.washed_off if holding else th.washed_on)
              and m.p95 >= th.washed_p95 and m.contrast <= th.washed_contrast)
    return blown or washed


def _noisy(m: FrameMetrics, th: Thresholds, holding: bool) -> bool:
    if holding:
        return m.colour_noise > th.noisy_off or m.luma_noise > th.noisy_luma_off
    return m.colour_noise > th.noisy_on or m.luma_noise > th.noisy_luma_on


BLUR_KIND_ACTIONS: dict[BlurKind, str] = {BlurKind.MOTION: "hold still", BlurKind.FOCUS: "tap to focus"}
"""The ``blurry`` badge's action once the kind of blur is known (its spec's action covers both)."""


def _backlit(m: FrameMetrics, th: Thresholds, holding: bool) -> bool:
    # A dark mass under a bright surround, in a frame that is not too dark as a whole.
    mass, bright = (th.backlit_off, th.backlit_bright / 2) if holding else (th.backlit_on, th.backlit_bright)
    return (m.dark_mass >= mass and m.bright_mass >= bright and m.dark_below >= th.backlit_below
            and m.mean_luma >= th.dark_on)


def _low_contrast(m: FrameMetrics, th: Thresholds, holding: bool) -> bool:
    # A veil of light: every edge's contrast shrunk and the blacks lifted (livecheck.lighting).
    if holding:
        return m.local_contrast < th.low_contrast_off and m.p01 >= th.low_contrast_black_off
    return m.local_contrast < th.low_contrast_on and m.p01 >= th.low_contrast_black


def _hold_still(m: FrameMetrics, th: Thresholds, holding: bool) -> bool:
    # The camera moves so fast between frames that its exposure will smear (livecheck.motion).
    return m.motion >= (th.hold_still_off if holding else th.hold_still_on)


HINT_SPECS: dict[Hint, HintSpec] = {spec.hint: spec for spec in (
    HintSpec(Hint.BLURRY, _blurry, (Band("blurry_on", "blurry_off"), Band("blurry_acuity_on", "blurry_acuity_off")),
             "Blurry", "hold still or tap to focus", Icon.BLUR, (214, 72, 38)),
    HintSpec(Hint.TOO_DARK, _too_dark, (Band("dark_on", "dark_off"),),
             "Too dark", "add light", Icon.MOON, (72, 80, 222)),
    HintSpec(Hint.TOO_BRIGHT, _too_bright,
             (Band("bright_off", "bright_on"), Band("bright_p95_off", "bright_p95"),
              Band("washed_off", "washed_on")),
             "Too bright", "reduce exposure", Icon.SUN, (245, 176, 20)),
    HintSpec(Hint.NOISY, _noisy, (Band("noisy_off", "noisy_on"), Band("noisy_luma_off", "noisy_luma_on")),
             "Noisy", "add light", Icon.GRAIN, (176, 52, 160)),
    HintSpec(Hint.BACKLIT, _backlit, (Band("backlit_off", "backlit_on"),),
             "Backlit", "turn so the light is behind you", Icon.BACKLIGHT, (226, 120, 40),
             opt_in=True, regional=False),
    HintSpec(Hint.LOW_CONTRAST, _low_contrast,
             (Band("low_contrast_on", "low_contrast_off"), Band("low_contrast_black_off", "low_contrast_black")),
             "Low contrast", "wipe the lens or get closer", Icon.HAZE, (120, 130, 150),
             opt_in=True, regional=False),
    HintSpec(Hint.HOLD_STILL, _hold_still, (Band("hold_still_off", "hold_still_on"),),
             "Moving", "hold still", Icon.SHAKE, (32, 150, 170), regional=False),
)}
