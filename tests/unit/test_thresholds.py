"""Threshold defaults, TOML files and NAME=VALUE overrides, good and bad."""
from __future__ import annotations

from pathlib import Path

import pytest

from livecheck.hint import Hint
from livecheck.thresholds import Thresholds, load_thresholds, parse_override, threshold_names


def test_defaults_are_valid_and_documented() -> None:
    th = load_thresholds(None, [])
    assert th == Thresholds()
    assert th.blurry_on < th.blurry_off and th.noisy_off < th.noisy_on
    assert "dark_on" in threshold_names() and "disabled" not in threshold_names()


def test_toml_then_overrides(tmp_path: Path) -> None:
    path = tmp_path / "th.toml"
    path.write_text("[thresholds]\ndark_on = 40\ndark_off = 45.5\nnoisy_on = 3\n")
    th = load_thresholds(path, ["noisy_on=2.5", " on_delay = 0 "], disabled=["Noisy"])
    assert (th.dark_on, th.dark_off, th.noisy_on, th.on_delay) == (40.0, 45.5, 2.5, 0.0)
    assert th.disabled == {Hint.NOISY, Hint.BACKLIT, Hint.LOW_CONTRAST}  # backlit and low_contrast are opt-in
    assert not th.enabled(Hint.NOISY) and th.enabled(Hint.BLURRY)


def test_parse_override() -> None:
    assert parse_override("blurry_on=1.5") == ("blurry_on", 1.5)


@pytest.mark.parametrize("text, message", [
    ("[thresholds]\nno_such = 1\n", "unknown threshold 'no_such'"),
    ("[thresholds]\ndark_on = 'dim'\n", "must be a number"),
    ("[thresholds]\ndark_on = true\n", "must be a number"),
    ("[thresholds]\ndark_on = [1]\n", "must be a number"),
    ("[thresholds]\ndark_on = nan\n", "finite"),
    ("[thresholds\ndark_on = 1\n", "malformed TOML"),
    ("dark_on = 40\n", "no \\[thresholds\\] table"),
    ("thresholds = 3\n", "must be a table"),
    ("[thresholds]\ndark_on = 70\n", "dark_on .* must not exceed dark_off"),
])
def test_bad_toml_raises_one_line_value_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "th.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as info:
        load_thresholds(path, [])
    assert "\n" not in str(info.value)


def test_missing_file_raises_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read thresholds file"):
        load_thresholds(tmp_path / "absent.toml", [])


@pytest.mark.parametrize("override, message", [
    ("dark_on", "not NAME=VALUE"),
    ("dark_on=", "must be a number"),
    ("dark_on=abc", "must be a number"),
    ("dark_on=inf", "finite"),
    ("bogus=1", "unknown threshold"),
    ("disabled=1", "unknown threshold"),
    ("on_delay=-1", "must not be negative"),
    ("noisy_on=0.9", "noisy_off .* must not exceed noisy_on"),
    ("noisy_luma_on=1.0", "noisy_luma_off .* must not exceed noisy_luma_on"),
    ("glare_on=10", "unknown threshold 'glare_on'"),
])
def test_bad_overrides_raise_value_error(override: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_thresholds(None, [override])


def test_unknown_hint_to_disable() -> None:
    with pytest.raises(ValueError, match="unknown hint 'fuzzy'"):
        load_thresholds(None, [], disabled=["fuzzy"])


def test_constructor_checks_types() -> None:
    with pytest.raises(ValueError, match="finite number"):
        Thresholds(dark_on="40")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="disabled"):
        Thresholds(disabled={"noisy"})  # type: ignore[arg-type]


def test_strictness_presets_order_and_opt_in_hints() -> None:
    from livecheck.thresholds import PRESETS, Strictness
    relaxed, normal, strict = (PRESETS[s] for s in (Strictness.RELAXED, Strictness.NORMAL, Strictness.STRICT))
    assert normal == Thresholds()
    assert relaxed.blurry_on < normal.blurry_on < strict.blurry_on
    assert relaxed.dark_on < normal.dark_on < strict.dark_on
    assert relaxed.bright_on > normal.bright_on > strict.bright_on
    assert relaxed.noisy_on > normal.noisy_on > strict.noisy_on
    assert not normal.enabled(Hint.BACKLIT) and strict.enabled(Hint.BACKLIT)
    th = load_thresholds(overrides=["dark_on=30"], strictness=Strictness.STRICT)
    assert th.dark_on == 30 and th.blurry_on == strict.blurry_on  # --set wins over the preset
    assert load_thresholds(enabled=["backlit"]).enabled(Hint.BACKLIT)
    assert not load_thresholds(disabled=["noisy"]).enabled(Hint.BACKLIT)  # --disable keeps opt-in hints off
