"""Judging a run against an expected-hint timeline: a pure function of the windows and the records.

The records are the frame lines of ``livecheck replay --json`` (``t``: the frame's media time in
seconds of the clip, with or without pacing; ``hints``: the debounced hints a user was shown).
Each frame's hints are taken to hold until the next frame, and the last frame's for one frame
interval (the median interval), which is also where the clip is taken to end.

Per window, after the grace period at its start (which absorbs the debounce of the hint coming on
and of the previous window's hint going off), the *coverage* is the share of time the expectation
was met: every expected hint shown (others may show too), or for a ``none`` window no core hint
shown. A window passes when its coverage reaches the required share. A window that ends after the
clip does is failed (the timeline does not fit the clip), with its coverage measured on what the
clip has of it. *Reaction* is the time from the window's start until the expectation is first met
(0 when it already was; none if never within the window); *clear* is, for hint windows, the time
from its end until none of its hints shows any longer (0 when they were already gone; none if they
never went).
"""
from __future__ import annotations

import json
import math
import statistics
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from livecheck.expect.timeline import Window
from livecheck.hint import Hint

CORE_HINTS = frozenset(h.value for h in Hint)
DEFAULT_COVERAGE = 0.9
DEFAULT_GRACE_S = 0.5


@dataclass(frozen=True, slots=True)
class ExpectSettings:
    coverage: float = DEFAULT_COVERAGE
    """Share (0-1] of each window, after the grace period, on which the expectation must be met."""
    grace: float = DEFAULT_GRACE_S
    """Seconds at the start of each window that are not judged."""


@dataclass(frozen=True, slots=True)
class Sample:
    """What one analysed frame showed: its media time and its debounced hints (contract names)."""

    t: float
    hints: frozenset[str]

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Sample:
        """From a replay frame line; ValueError if ``t`` or ``hints`` are missing or mistyped."""
        t, hints = record.get("t"), record.get("hints")
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
            raise ValueError(f"frame record without a finite number 't': {t!r}")
        if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
            raise ValueError(f"frame record without a list of hint names 'hints': {hints!r}")
        return cls(float(t), frozenset(hints))


def is_frame_record(record: Mapping[str, Any]) -> bool:
    """Frame lines carry ``frame``; events (``event``) and the ``summary`` line do not."""
    return "frame" in record


def samples_from_jsonl(lines: Iterable[str], source: str) -> list[Sample]:
    """The frame samples of a recorded ``replay`` output; ValueError naming ``source:line``."""
    samples: list[Sample] = []
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            if is_frame_record(record):
                sample = Sample.from_record(record)
                if samples and sample.t < samples[-1].t:
                    raise ValueError(f"t goes back from {samples[-1].t:g} to {sample.t:g} "
                                     "(more than one run in one file?)")
                samples.append(sample)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            raise ValueError(f"{source}:{line_no}: {exc}") from None
    if not samples:
        raise ValueError(f"{source}: no frame records (is it the output of `livecheck replay`?)")
    return samples


@dataclass(frozen=True, slots=True)
class WindowResult:
    window: Window
    passed: bool
    coverage: float | None
    """Share of the judged part on which the expectation was met; None if the clip has none of it."""
    reaction_s: float | None
    clear_s: float | None
    others: frozenset[str]
    """Hints shown in the judged part that the window did not name (they do not fail it)."""
    failure: str | None
    """Why it failed, one line; None when it passed."""


@dataclass(frozen=True, slots=True)
class Verdict:
    results: tuple[WindowResult, ...]
    settings: ExpectSettings
    clip_end: float
    """Where the records end (seconds of the clip): the last frame's time plus one frame interval."""

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> int:
        return sum(not r.passed for r in self.results)


def judge(windows: Sequence[Window], samples: Sequence[Sample],
          settings: ExpectSettings = ExpectSettings()) -> Verdict:
    """Each window of a timeline judged on a run's samples (in time order, at least one)."""
    if not samples:
        raise ValueError("no analysed frames to judge")
    track = _Track(samples)
    return Verdict(tuple(_judge_window(w, track, settings) for w in windows), settings, track.end)


class _Track:
    """The samples as a step function of time: sample i's hints hold on [t_i, t_i+1)."""

    def __init__(self, samples: Sequence[Sample]) -> None:
        self.samples = samples
        self.times = [s.t for s in samples]
        steps = [b - a for a, b in pairwise(self.times) if b > a]
        self.frame_s = statistics.median(steps) if steps else 0.0
        self.end = self.times[-1] + self.frame_s

    def spans(self, a: float, b: float) -> Iterator[tuple[float, float, frozenset[str]]]:
        """(from, to, hints) pieces of [a, b); time before the first frame has no piece."""
        for i in range(max(bisect_right(self.times, a) - 1, 0), len(self.samples)):
            if self.times[i] >= b:
                break
            stop = self.times[i + 1] if i + 1 < len(self.times) else self.end
            lo, hi = max(a, self.times[i]), min(b, stop)
            if hi > lo:
                yield lo, hi, self.samples[i].hints

    def at(self, t: float) -> frozenset[str] | None:
        """The hints shown at time t (None before the first frame)."""
        i = bisect_right(self.times, t) - 1
        return self.samples[i].hints if i >= 0 else None

    def first_after(self, t: float, until: float, wanted: Callable[[frozenset[str]], bool]) -> float | None:
        """Seconds from t to the first frame in (t, until) whose hints are ``wanted``."""
        for i in range(bisect_right(self.times, t), len(self.samples)):
            if self.times[i] >= until:
                break
            if wanted(self.samples[i].hints):
                return self.times[i] - t
        return None


def _judge_window(window: Window, track: _Track, settings: ExpectSettings) -> WindowResult:
    def met(shown: frozenset[str]) -> bool:
        if window.hints:
            return {h.value for h in window.hints} <= shown
        return not shown & CORE_HINTS

    def cleared(shown: frozenset[str]) -> bool:
        return not {h.value for h in window.hints} & shown

    a, b = window.start + settings.grace, min(window.end, track.end)
    coverage = None
    others: set[str] = set()
    if b > a:
        met_s = 0.0
        for lo, hi, shown in track.spans(a, b):
            met_s += (hi - lo) if met(shown) else 0.0
            others |= shown & CORE_HINTS
        coverage = met_s / (b - a)
    others -= {h.value for h in window.hints}

    at_start = track.at(window.start)
    reaction = (0.0 if at_start is not None and met(at_start)
                else track.first_after(window.start, window.end, met))
    clear = None
    if window.hints:
        at_end = track.at(window.end)
        clear = (0.0 if at_end is None or cleared(at_end)
                 else track.first_after(window.end, math.inf, cleared))

    failure = None
    beyond = window.end > track.end + track.frame_s / 2
    if beyond:
        failure = f"window ends at {window.end:g} s, after the clip's end at {track.end:g} s"
    elif coverage is None or coverage < settings.coverage - 1e-9:
        failure = (f"expectation met on {_pct(coverage)} of the window after the grace period, "
                   f"needs {_pct(settings.coverage)}")
        if reaction is None:
            failure += "; never met in the window"
    return WindowResult(window, failure is None, coverage, reaction, clear, frozenset(others), failure)


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"
