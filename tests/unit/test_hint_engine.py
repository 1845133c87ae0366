"""Hysteresis and debounce: hints appear and clear on the frame clock, without flicker."""
from __future__ import annotations

import dataclasses
from itertools import pairwise

import numpy as np
import pytest

from livecheck.fastchecks import FrameMetrics, frame_hints
from livecheck.hint import HINT_SPECS, Hint
from livecheck.hint_engine import HintEngine
from livecheck.thresholds import Thresholds, threshold_names

GOOD = FrameMetrics(sharpness=2.8, edge_strength=10.0, mean_luma=120.0, p05=30.0, p50=118.0,
                    p95=210.0, clipped_dark=0.0, clipped_bright=0.0, colour_noise=0.5,
                    luma_noise=0.4, noise_sigma=0.5, contrast=180.0)
TH = Thresholds()  # on_delay 0.3 s, off_delay 0.5 s


def blurry(sharpness: float = 1.2) -> FrameMetrics:
    return dataclasses.replace(GOOD, sharpness=sharpness)


def run(engine: HintEngine, frames: list[tuple[float, FrameMetrics]]) -> list[frozenset[Hint]]:
    return [engine.update(m, t) for t, m in frames]


def test_good_frames_raise_nothing() -> None:
    assert frame_hints(GOOD, TH) == frozenset()
    engine = HintEngine(TH)
    assert all(h == frozenset() for h in run(engine, [(i / 30, GOOD) for i in range(60)]))


def test_hint_shows_after_on_delay_and_clears_after_off_delay() -> None:
    engine = HintEngine(TH)
    assert engine.update(blurry(), 0.0) == frozenset()
    assert engine.update(blurry(), 0.29) == frozenset()
    assert engine.update(blurry(), 0.30) == {Hint.BLURRY}
    assert engine.update(GOOD, 1.00) == {Hint.BLURRY}   # clear condition starts holding
    assert engine.update(GOOD, 1.49) == {Hint.BLURRY}
    assert engine.update(GOOD, 1.50) == frozenset()


def test_short_glitch_neither_raises_nor_clears() -> None:
    engine = HintEngine(TH)
    frames = [(0.0, GOOD), (0.1, blurry()), (0.2, blurry()), (0.3, GOOD), (0.4, GOOD)]
    assert all(h == frozenset() for h in run(engine, frames))
    engine = HintEngine(TH)
    run(engine, [(t / 10, blurry()) for t in range(5)])
    shown = run(engine, [(0.5, GOOD), (0.6, GOOD), (0.7, blurry()), (0.8, GOOD), (1.0, GOOD)])
    assert all(h == {Hint.BLURRY} for h in shown)


def _transitions(hints: list[frozenset[Hint]]) -> int:
    return sum(a != b for a, b in pairwise(hints))


def test_metric_oscillating_around_the_on_threshold_does_not_flicker() -> None:
    # 30 fps, sharpness alternating just either side of blurry_on (1.8) for 10 s.
    values = [1.75 if i % 2 else 1.85 for i in range(300)]
    hints = run(HintEngine(TH), [(i / 30, blurry(v)) for i, v in enumerate(values)])
    assert _transitions(hints) == 0


def test_metric_oscillating_inside_the_hysteresis_band_keeps_the_hint() -> None:
    engine = HintEngine(TH)
    run(engine, [(i / 30, blurry()) for i in range(15)])
    rng = np.random.default_rng(0)
    values = rng.uniform(TH.blurry_on - 0.1, TH.blurry_off - 0.01, 300)  # never clearly sharp
    hints = run(engine, [(0.5 + i / 30, blurry(float(v))) for i, v in enumerate(values)])
    assert all(h == {Hint.BLURRY} for h in hints)


def test_slow_noisy_drift_changes_state_at_most_once_per_crossing() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(0, 20, 1 / 30)
    luma = 54 + 20 * np.sin(2 * np.pi * t / 20) + rng.normal(0, 3, t.size)  # crosses dark_on twice
    hints = run(HintEngine(TH), [(float(ti), dataclasses.replace(GOOD, mean_luma=float(v)))
                                 for ti, v in zip(t, luma, strict=True)])
    assert 1 <= _transitions(hints) <= 2


def test_replay_pace_does_not_matter() -> None:
    """Same timestamps, any wall-clock pace: decisions depend on the frames' t only."""
    frames = [(i / 25, blurry() if 10 <= i < 40 else GOOD) for i in range(80)]
    assert run(HintEngine(TH), frames) == run(HintEngine(TH), frames)
    shown = [t for (t, _), h in zip(frames, run(HintEngine(TH), frames), strict=True) if h]
    assert shown[0] == pytest.approx(10 / 25 + 0.3, abs=1 / 25)
    assert shown[-1] == pytest.approx(40 / 25 + 0.5 - 1 / 25, abs=1 / 25)


def test_time_going_backwards_resets() -> None:
    engine = HintEngine(TH)
    run(engine, [(t / 10, blurry()) for t in range(10)])
    assert engine.update(GOOD, 0.0) == frozenset()


def test_disabled_hints_never_show_and_dict_metrics_are_accepted() -> None:
    th = dataclasses.replace(TH, disabled=frozenset({Hint.BLURRY}))
    engine = HintEngine(th)
    dark = dataclasses.replace(blurry(), mean_luma=20.0).as_dict()
    assert run(engine, [(t / 10, dark) for t in range(10)])[-1] == {Hint.TOO_DARK}
    assert frame_hints(FrameMetrics(**dark), th) == {Hint.TOO_DARK}


def test_zero_delays_follow_the_frame() -> None:
    th = dataclasses.replace(TH, on_delay=0.0, off_delay=0.0)
    engine = HintEngine(th)
    assert engine.update(blurry(), 0.0) == {Hint.BLURRY}
    assert engine.update(GOOD, 0.04) == frozenset()


def test_guards_have_hysteresis_too() -> None:
    """too_bright's clipped-highlights guard and blurry's edge guard must not make a hint flicker."""
    bright = dataclasses.replace(GOOD, mean_luma=205.0, p95=255.0)
    engine = HintEngine(TH)
    run(engine, [(i / 30, bright) for i in range(15)])
    wobble = [dataclasses.replace(bright, p95=245.0 if i % 2 else 252.0) for i in range(150)]
    hints = run(engine, [(0.5 + i / 30, m) for i, m in enumerate(wobble)])
    assert all(h == {Hint.TOO_BRIGHT} for h in hints)
    engine = HintEngine(TH)
    run(engine, [(i / 30, blurry()) for i in range(15)])
    weak = [dataclasses.replace(blurry(), edge_strength=1.0 if i % 2 else 2.0) for i in range(150)]
    assert all(h == {Hint.BLURRY} for h in run(engine, [(0.5 + i / 30, m) for i, m in enumerate(weak)]))
    # a blank frame (no edges at all) does clear blurry
    blank = dataclasses.replace(blurry(), sharpness=0.0, edge_strength=0.0)
    assert run(engine, [(6.0 + i / 30, blank) for i in range(30)])[-1] == frozenset()


def test_noisy_video_keeps_the_hint_between_key_frames() -> None:
    """Codec noise: strong at its onset and in key frames (every 12th), faint between; no colour."""
    def frame(i: int) -> FrameMetrics:
        luma = 10.0 if i < 10 or i % 12 == 0 else 2.0
        return dataclasses.replace(GOOD, colour_noise=0.0, luma_noise=luma, noise_sigma=luma)
    hints = run(HintEngine(TH), [(i / 25, frame(i)) for i in range(100)])
    assert frame_hints(frame(13), TH) == frozenset()  # a between frame alone raises nothing
    assert hints[20:] == [frozenset({Hint.NOISY})] * 80  # ...but does not clear a shown hint
    clean = run(HintEngine(TH), [(i / 25, GOOD) for i in range(50)])
    assert not any(clean)


def test_colour_noise_and_luma_noise_each_raise_noisy() -> None:
    assert frame_hints(dataclasses.replace(GOOD, colour_noise=TH.noisy_on + 0.1), TH) == {Hint.NOISY}
    assert frame_hints(dataclasses.replace(GOOD, luma_noise=TH.noisy_luma_on + 0.1), TH) == {Hint.NOISY}
    assert frame_hints(dataclasses.replace(GOOD, luma_noise=TH.noisy_luma_on - 0.1), TH) == frozenset()


def test_every_hint_is_declared_once_with_a_rule_bands_and_badge_words() -> None:
    assert set(HINT_SPECS) == set(Hint)
    names = set(threshold_names())
    for hint, spec in HINT_SPECS.items():
        assert spec.hint is hint and spec.title and spec.action
        assert all(band.low in names and band.high in names for band in spec.bands)
        assert isinstance(spec.rule(GOOD, TH, False), bool)
