"""Turns per-frame hint conditions into steady hints a person can read: hysteresis plus debounce.

A hint shows once its *on* rule has held for ``on_delay`` seconds and goes away once its looser
*off* rule has failed for ``off_delay`` seconds. Time is the frame's own timestamp (media time for
clips), never the wall clock, so replaying a clip at any pace gives the same hints.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from livecheck.fastchecks import FrameMetrics
from livecheck.hint import HINT_SPECS, Hint
from livecheck.thresholds import Thresholds


@dataclass(slots=True)
class _HintState:
    shown: bool = False
    since: float | None = None
    """When the pending change (show, or clear) started to hold; None when nothing is pending."""


class HintEngine:
    """Debounced, hysteresis-filtered hints for one stream. Not thread-safe: one engine per stream."""

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self._th = thresholds if thresholds is not None else Thresholds()
        self._states = {h: _HintState() for h in Hint if self._th.enabled(h)}
        self._last_t: float | None = None

    def reset(self) -> None:
        """Forget all hints (a new clip, or a seek)."""
        for state in self._states.values():
            state.shown, state.since = False, None
        self._last_t = None

    def update(self, metrics: FrameMetrics | Mapping[str, float], t: float) -> frozenset[Hint]:
        """Feed one frame's metrics taken at time ``t`` (seconds); return the hints to show now.

        Time going backwards (a clip restarted or seeked) resets the engine first.
        """
        m = metrics if isinstance(metrics, FrameMetrics) else FrameMetrics(**metrics)
        if self._last_t is not None and t < self._last_t:
            self.reset()
        self._last_t = t
        for hint, state in self._states.items():
            # While hidden, a pending change is "on rule holds"; while shown, "off rule fails".
            rule = HINT_SPECS[hint].rule
            wants_change = (rule(m, self._th, False) if not state.shown else not rule(m, self._th, True))
            if not wants_change:
                state.since = None
                continue
            if state.since is None:
                state.since = t
            delay = self._th.off_delay if state.shown else self._th.on_delay
            if t - state.since >= delay:
                state.shown, state.since = not state.shown, None
        return frozenset(h for h, s in self._states.items() if s.shown)
