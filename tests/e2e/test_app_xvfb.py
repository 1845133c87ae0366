"""One real window: the app under Xvfb with Qt's xcb platform, on the demo clip.

The screenshot is taken inside the clip's scripted dark segment (assets/demo.json) and the
"too dark" badge must be DRAWN there: its colour, in a blob the size of the badge rendered alone,
top-left over a dark picture.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import PyQt6
import pytest
from support.app import colour_fraction, qimage_to_rgb

from livecheck.app.badges import HINT_STYLES, ICON_PAINTERS, Badge
from livecheck.app.session import demo_clip_path
from livecheck.hint import HINT_SPECS, Hint

XVFB_RUN = shutil.which("xvfb-run")


def _xcb_missing_libraries() -> list[str]:
    """Libraries Qt's xcb platform plugin needs but cannot find (it would abort the app)."""
    plugin = Path(PyQt6.__file__).parent / "Qt6" / "plugins" / "platforms" / "libqxcb.so"
    ldd = shutil.which("ldd")
    if not plugin.is_file() or ldd is None:
        return []
    out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if "not found" in line]


pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.slow,
    pytest.mark.skipif(XVFB_RUN is None, reason="xvfb-run not installed (Debian package xvfb)"),
]


@pytest.fixture(scope="module", autouse=True)
def _xcb_plugin_loads():
    missing = _xcb_missing_libraries()
    if missing:
        pytest.skip(f"Qt xcb plugin cannot load, missing: {' '.join(missing)} (make system-deps)")


def _segment(name_hint: Hint) -> dict:
    meta_path = demo_clip_path().with_suffix(".json")
    if not demo_clip_path().is_file() or not meta_path.is_file():
        pytest.skip("demo clip or its demo.json missing (scripts/make_demo_clip.py)")
    meta = json.loads(meta_path.read_text())
    for seg in meta["segments"]:
        if seg.get("hint") == name_hint.value or name_hint.value in seg.get("hints", []):
            return seg
    pytest.skip(f"demo.json has no {name_hint.value} segment")


def _badge_alone(hint: Hint) -> np.ndarray:
    """The badge rendered by itself (offscreen, in this process), fully faded in."""
    badge = Badge(HINT_STYLES[hint], ICON_PAINTERS[HINT_SPECS[hint].icon])
    badge.opacity = 1.0
    badge.resize(badge.sizeHint())
    return qimage_to_rgb(badge.grab().toImage())


def test_too_dark_badge_is_drawn_in_a_real_window(tmp_path, qapp):
    dark = _segment(Hint.TOO_DARK)
    # three quarters into the segment: past the fade-in ramp, the hint debounce and the badge fade
    after = dark["start_s"] + 0.75 * (dark["end_s"] - dark["start_s"])
    out = tmp_path / "dark.png"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"
    cmd = [XVFB_RUN, "-a", "-s", "-screen 0 1280x800x24", sys.executable, "-m", "livecheck", "run",
           "--source", str(demo_clip_path()), "--screenshot", str(out), "--after", f"{after:.2f}",
           "--snapshot-dir", str(tmp_path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=after + 60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    shot = cv2.cvtColor(cv2.imread(str(out)), cv2.COLOR_BGR2RGB)

    colour = _badge_colour(Hint.TOO_DARK)
    alone = _badge_alone(Hint.TOO_DARK)
    expected_px = colour_fraction(alone, colour) * alone.shape[0] * alone.shape[1]

    h, w = shot.shape[:2]
    mask = np.all(np.abs(shot.astype(np.int16) - np.array(colour, np.int16)) <= 12, axis=-1)
    ys, xs = np.nonzero(mask)
    assert len(xs) >= 0.7 * expected_px, f"badge colour {colour}: {len(xs)} px of {expected_px:.0f}"
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    # one blob, the size of the badge drawn alone, in the top-left quarter
    assert abs((x1 - x0 + 1) - alone.shape[1]) <= 0.15 * alone.shape[1]
    assert abs((y1 - y0 + 1) - alone.shape[0]) <= 0.25 * alone.shape[0]
    assert x1 < w / 2 and y1 < h / 2
    # and it sits on the dark picture: the frame below the badges is dark
    centre = cv2.cvtColor(shot[h // 3: 2 * h // 3, w // 3: 2 * w // 3], cv2.COLOR_RGB2GRAY)
    assert centre.mean() < 60
    assert colour_fraction(shot, _badge_colour(Hint.TOO_BRIGHT)) < 0.001  # no other verdict drawn


def _badge_colour(hint: Hint) -> tuple[int, int, int]:
    return HINT_STYLES[hint].colour.getRgb()[:3]
