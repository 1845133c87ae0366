"""Widget tests for the Qt app, offscreen, fed with synthetic FrameResults."""
from __future__ import annotations

import json
import threading
import time

import cv2
import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage
from support.app import colour_fraction, make_result, qimage_to_rgb
from support.media import half_blurred, scene

from livecheck.app.badges import HINT_STYLES, BadgeColumn
from livecheck.app.bridge import ResultBridge
from livecheck.app.display import display_available
from livecheck.app.fade import FADE_MS
from livecheck.app.hud import DisplayStats, format_hud
from livecheck.app.meter import QualityMeter, model_age_text
from livecheck.app.preview import PreviewWidget, bgr_to_qimage, fit_picture, letterbox
from livecheck.app.snapshot import AutoCapture
from livecheck.app.snapshot_policy import SnapshotPolicy
from livecheck.app.sparkline import Sparkline
from livecheck.app.window import MainWindow
from livecheck.hint import Hint
from livecheck.pipeline import PipelineStats
from livecheck.regions import Grid, regions
from livecheck.result import ModelScore
from livecheck.sharpness import BlurKind
from livecheck.thresholds import Thresholds

SETTLE_MS = FADE_MS + 150


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def snapshots(window, tmp_path):
    policy = SnapshotPolicy(window, tmp_path / "snaps")
    yield policy
    policy.close()


def test_bgr_to_qimage_wraps_the_array_without_copying():
    img = np.zeros((4, 6, 3), np.uint8)
    img[1, 2] = (255, 0, 0)  # pure blue in BGR
    q = bgr_to_qimage(img)
    assert (q.width(), q.height()) == (6, 4)
    assert int(q.constBits()) == img.ctypes.data  # same buffer
    assert q.pixelColor(2, 1).getRgb()[:3] == (0, 0, 255)


def test_bgr_to_qimage_rejects_non_bgr():
    with pytest.raises(ValueError, match="contiguous BGR uint8"):
        bgr_to_qimage(np.zeros((4, 6), np.uint8))


@pytest.mark.parametrize(("src", "dst", "expected"), [
    ((640, 480), (800, 400), (133.33, 0, 533.33, 400)),   # pillarbox
    ((640, 360), (640, 480), (0, 60, 640, 360)),          # letterbox
    ((100, 100), (100, 100), (0, 0, 100, 100)),
])
def test_letterbox_keeps_aspect_and_centres(src, dst, expected):
    r = letterbox(*src, *dst)
    assert (r.x(), r.y(), r.width(), r.height()) == pytest.approx(expected, abs=0.01)


def test_badges_follow_debounced_hints_and_fade(qtbot):
    col = BadgeColumn()
    qtbot.addWidget(col)
    col.show()
    col.set_hints(frozenset({Hint.TOO_DARK}))
    dark = col.badges[Hint.TOO_DARK]
    assert dark.isVisible() and dark.opacity < 1.0  # fading in, not popping
    qtbot.waitUntil(lambda: dark.opacity == 1.0, timeout=SETTLE_MS)
    qtbot.waitUntil(lambda: not col.looks_good.isVisible(), timeout=SETTLE_MS)
    assert col.active_hints() == {Hint.TOO_DARK}
    assert not col.badges[Hint.BLURRY].isVisible()

    col.set_hints(frozenset())
    qtbot.waitUntil(lambda: not dark.isVisible(), timeout=SETTLE_MS)
    qtbot.waitUntil(lambda: col.looks_good.opacity == 1.0, timeout=SETTLE_MS)


def test_badge_reverses_mid_fade_without_jumping(qtbot):
    col = BadgeColumn()
    qtbot.addWidget(col)
    col.show()
    badge = col.badges[Hint.BLURRY]
    col.set_hints(frozenset({Hint.BLURRY}))
    qtbot.wait(FADE_MS // 2)
    halfway = badge.opacity
    assert 0.0 < halfway < 1.0
    col.set_hints(frozenset())
    assert badge.opacity == pytest.approx(halfway)  # starts fading out from where it was
    assert badge.isVisible()
    # the same debounced state delivered again (every frame does) must not restart the animation
    qtbot.wait(FADE_MS // 4)
    lower = badge.opacity
    col.set_hints(frozenset())
    assert badge.opacity == pytest.approx(lower)
    qtbot.waitUntil(lambda: not badge.isVisible(), timeout=SETTLE_MS)


def test_badge_text_is_an_action_in_plain_words():
    assert HINT_STYLES[Hint.BLURRY].text == "Blurry: hold still or tap to focus"
    assert HINT_STYLES[Hint.TOO_DARK].text == "Too dark: add light"
    assert HINT_STYLES[Hint.TOO_BRIGHT].text == "Too bright: reduce exposure"
    assert set(HINT_STYLES) == set(Hint)


def test_meter_shows_quality_and_model_age(qtbot):
    meter = QualityMeter()
    qtbot.addWidget(meter)
    now = time.monotonic()
    score = ModelScore("nima", {"mean": 5.5}, seq=3, t_capture=now - 0.5, latency_ms=8.0)
    result = make_result(quality=63.0, models={"nima": score}, t_capture=now)
    meter.set_result(result)
    assert meter.quality == 63.0
    assert model_age_text(result, now) == "model 0.5 s old"
    assert model_age_text(make_result(), now) == "fast checks only"


def test_window_draws_the_frame_and_the_badge(qtbot, window):
    image = np.full((320, 480, 3), 20, np.uint8)
    window.show_result(make_result(hints={Hint.TOO_DARK}, quality=30.0, image=image))
    badge = window.badges.badges[Hint.TOO_DARK]
    qtbot.waitUntil(lambda: badge.opacity == 1.0, timeout=SETTLE_MS)
    shot = qimage_to_rgb(window.grab().toImage())
    top_left = badge.mapTo(window, badge.rect().topLeft())
    region = shot[top_left.y(): top_left.y() + badge.height(), top_left.x(): top_left.x() + badge.width()]
    colour = HINT_STYLES[Hint.TOO_DARK].colour.getRgb()[:3]
    assert colour_fraction(region, colour) > 0.5
    assert colour_fraction(shot, colour) < 0.1  # and only there
    # the frame itself fills the (same-aspect) window
    assert tuple(shot[shot.shape[0] // 2, shot.shape[1] // 2]) == (20, 20, 20)


def test_hud_toggles_with_h_and_shows_metrics(qtbot, window):
    window.show_result(make_result(quality=55.0))
    assert not window.hud.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_H)
    assert window.hud.isVisible()
    text = window.hud.label.text()
    assert "luma_mean" in text and "sharpness" in text and "max UI stall" in text
    assert "hints     -  (this frame: -)" in text
    assert window.hud.sparkline.values() == [55.0]
    qtbot.keyClick(window, Qt.Key.Key_H)
    assert not window.hud.isVisible()


def test_f_toggles_fullscreen_and_q_closes(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_F)
    qtbot.waitUntil(window.isFullScreen, timeout=1000)
    qtbot.keyClick(window, Qt.Key.Key_F)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=1000)
    qtbot.keyClick(window, Qt.Key.Key_Q)
    assert not window.isVisible()


def test_escape_closes(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_space_saves_png_and_json_sidecar(qtbot, window, snapshots, tmp_path):
    image = np.random.default_rng(0).integers(0, 255, (90, 120, 3), dtype=np.uint8)
    window.show_result(make_result(seq=7, hints={Hint.NOISY}, quality=41.0, image=image))
    with qtbot.waitSignal(snapshots.done, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_Space)
    pngs = list((tmp_path / "snaps").glob("*.png"))
    assert len(pngs) == 1
    np.testing.assert_array_equal(cv2.imread(str(pngs[0])), image)
    sidecar = json.loads(pngs[0].with_suffix(".json").read_text())
    assert sidecar["image"] == pngs[0].name
    assert sidecar["frame"] == 7 and sidecar["hints"] == ["noisy"] and sidecar["reason"] == "manual"
    assert sidecar["metrics"]["luma_mean"] == 100.0
    assert not list((tmp_path / "snaps").glob("*.part"))
    qtbot.waitUntil(lambda: window.banner.text.startswith("Saved "), timeout=1000)


def test_snapshot_before_any_frame_says_so(qtbot, window, snapshots, tmp_path):
    assert snapshots.save_shown() is None
    assert window.banner.text == "No frame to save yet"
    assert not (tmp_path / "snaps").exists()


def test_auto_capture_saves_best_frame_once_per_clear_stretch():
    auto = AutoCapture(hold_s=1.0)
    t0 = 100.0
    assert auto.update(make_result(0, {Hint.BLURRY}, t_capture=t0)) is None
    assert auto.update(make_result(1, quality=70, t_capture=t0 + 0.1)) is None
    assert auto.update(make_result(2, quality=90, t_capture=t0 + 0.5)) is None
    best = auto.update(make_result(3, quality=80, t_capture=t0 + 1.1))
    assert best is not None and best.seq == 2
    assert auto.update(make_result(4, quality=95, t_capture=t0 + 2.0)) is None  # once per stretch
    assert auto.update(make_result(5, {Hint.TOO_DARK}, t_capture=t0 + 2.1)) is None  # re-arms
    assert auto.update(make_result(6, quality=60, t_capture=t0 + 2.2)) is None
    again = auto.update(make_result(7, quality=50, t_capture=t0 + 3.3))
    assert again is not None and again.seq == 6


def test_auto_capture_writes_a_file_from_the_window(qtbot, tmp_path):
    win = MainWindow()
    qtbot.addWidget(win)
    policy = SnapshotPolicy(win, tmp_path, auto_capture_s=0.2)
    t0 = time.monotonic()
    with qtbot.waitSignal(policy.done, timeout=5000):
        for i in range(5):
            win.show_result(make_result(i, quality=60 + i, t_capture=t0 + 0.1 * i))
    policy.close()
    (png,) = tmp_path.glob("*.png")
    assert json.loads(png.with_suffix(".json").read_text())["reason"] == "auto"


def test_sparkline_keeps_the_last_ten_seconds():
    spark = Sparkline(window_s=10.0)
    for i in range(30):
        spark.add(float(i), t=float(i))
    assert spark.values() == [float(i) for i in range(19, 30)]


def test_bridge_coalesces_a_burst_and_delivers_the_newest(qtbot):
    bridge = ResultBridge()
    got = []
    bridge.result.connect(got.append)

    def burst():
        for i in range(200):
            bridge.post_result(make_result(i))

    worker = threading.Thread(target=burst)
    worker.start()
    worker.join()  # the GUI loop has not run: everything piled up in one slot
    qtbot.waitUntil(lambda: bool(got) and got[-1].seq == 199, timeout=1000)
    qtbot.wait(50)
    assert len(got) == 1
    assert bridge.skipped == 199 and bridge.delivered == 1


def test_bridge_delivers_every_source_event_in_order(qtbot):
    bridge = ResultBridge()
    got = []
    bridge.source_event.connect(got.append)
    thread = threading.Thread(target=lambda: [bridge.post_event(i) for i in range(5)])
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(got) == 5, timeout=1000)
    assert got == [0, 1, 2, 3, 4]


def test_display_available_reads_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    assert display_available() is False
    monkeypatch.setenv("DISPLAY", ":987")  # no such X server socket
    assert display_available() is False
    monkeypatch.setenv("DISPLAY", "somehost:0")
    assert display_available() is True
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert display_available() is True


def test_preview_keeps_a_strided_frame_alive(qtbot):
    preview = PreviewWidget()
    qtbot.addWidget(preview)
    big = np.zeros((100, 200, 3), np.uint8)
    big[:, ::2] = (0, 0, 255)  # red in BGR on even columns
    preview.set_frame(big[:, ::2])  # a strided view, as a crop or subsample would give
    del big
    preview.resize(100, 100)
    rgb = qimage_to_rgb(preview.grab().toImage())
    assert tuple(rgb[50, 50]) == (255, 0, 0)


def test_snapshot_into_an_unusable_folder_is_a_banner_not_a_crash(qtbot, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    win = MainWindow()
    qtbot.addWidget(win)
    policy = SnapshotPolicy(win, blocker / "snaps")
    win.show_result(make_result())
    with qtbot.waitSignal(policy.done, timeout=5000):
        future = policy.save_shown()
    assert isinstance(future.exception(), OSError)
    qtbot.waitUntil(lambda: win.banner.text.startswith("Snapshot failed: "), timeout=1000)
    assert win.banner.level.name == "ERROR"
    policy.close()


@pytest.mark.parametrize("src, target, size", [
    ((1280, 720), (960, 640), (960, 540)),   # shrunk to the width, bars above and below
    ((640, 480), (1920, 1080), (1440, 1080)),  # enlarged to the height
    ((160, 120), (160, 120), (160, 120)),     # already the right size: only converted
])
def test_fit_picture_is_the_on_screen_size_in_32_bit_format(src, target, size):
    bgr = np.zeros((src[1], src[0], 3), np.uint8)
    bgr[..., 2] = 200  # red
    picture = fit_picture(bgr, target)
    assert (picture.image.width(), picture.image.height()) == size
    assert picture.image.format() == QImage.Format.Format_RGB32
    assert picture.source_size == src and picture.target == target
    assert tuple(qimage_to_rgb(picture.image)[size[1] // 2, size[0] // 2]) == (200, 0, 0)


def test_preview_draws_a_prepared_picture_and_counts_frames_shown_and_replaced(qtbot):
    preview = PreviewWidget()
    qtbot.addWidget(preview)
    preview.resize(200, 100)
    preview.show()
    qtbot.waitExposed(preview)
    green = np.zeros((60, 80, 3), np.uint8)
    green[..., 1] = 255
    preview.set_frame(green)  # replaced before any paint
    picture = fit_picture(np.full((60, 80, 3), (255, 0, 0), np.uint8), preview.target_size)  # blue
    preview.set_frame(np.zeros((60, 80, 3), np.uint8), picture=picture)  # the picture wins
    qtbot.waitUntil(lambda: preview.frames_shown == 1, timeout=2000)
    assert preview.frames_replaced == 1
    rgb = qimage_to_rgb(preview.grab().toImage())
    assert tuple(rgb[50, 100]) == (0, 0, 255)
    assert tuple(rgb[50, 5]) == (0, 0, 0)  # letterbox bar: 4:3 in a 2:1 widget


def test_bridge_prepares_on_the_posting_thread_and_hands_both_over(qtbot):
    bridge = ResultBridge()
    threads: list[str] = []
    got = []

    def prepare(result):
        threads.append(threading.current_thread().name)
        return f"picture {result.seq}"

    bridge.set_prepare(prepare)
    bridge.shown.connect(lambda result, prepared: got.append((result.seq, prepared)))
    worker = threading.Thread(target=lambda: [bridge.post_result(make_result(i)) for i in range(3)],
                              name="poster")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(got), timeout=1000)
    assert got == [(2, "picture 2")]  # the newest result with its own picture
    assert threads == ["poster"] * 3


def test_hud_shows_the_stages_unclipped_even_when_they_are_slow():
    stage = {"p50": 134.4, "p99": 1178.9, "max": 2000.0, "n": 600}
    pipeline = PipelineStats(captured=10, analysed=9, dropped=1, corrupt_skipped=0, losses=0, reconnects=0,
                             capture_fps=60.0, latency_p50_ms=23.3, latency_p99_ms=155.1, model_runs={},
                             model_failures={},
                             stages_ms={k: stage for k in ("queue", "checks", "checks_off_cpu", "hints")})
    display = DisplayStats(shown_fps=42.6, skipped=4, max_stall_ms=34.0, max_own_stall_ms=13.0,
                           stages_ms={k: stage for k in ("gui_handover", "gui_convert", "gui_paint",
                                                         "capture_to_screen")})
    lines = format_hud(None, pipeline, display, 0.0).splitlines()
    stages = next(line for line in lines if line.startswith("p99 ms"))
    assert stages == "p99 ms    queue 1179 checks 1179 off-CPU 1179 hints 1179"
    assert any(line.startswith("screen    p50 134.4 ms  p99 1178.9 ms") for line in lines)
    assert any(line.startswith("gui p99   hand-over 1179  convert 1179  paint 1179") for line in lines)
    assert not any(line.endswith("…") for line in lines)


def test_the_blurry_badge_says_what_to_do_about_the_kind_of_blur(qtbot):
    col = BadgeColumn()
    qtbot.addWidget(col)
    badge = col.badges[Hint.BLURRY]
    assert badge.badge_style.text == "Blurry: hold still or tap to focus"
    col.set_hints(frozenset({Hint.BLURRY}), BlurKind.MOTION)
    assert badge.badge_style.text == "Blurry: hold still"
    col.set_hints(frozenset({Hint.BLURRY}), BlurKind.FOCUS)
    assert badge.badge_style.text == "Blurry: tap to focus"
    col.set_hints(frozenset())  # fading out keeps its words
    assert badge.badge_style.text == "Blurry: tap to focus"


def test_preview_outlines_the_cells_with_hints_when_asked(qtbot):
    frame = half_blurred(scene(640, 480), 4.0)
    preview = PreviewWidget()
    qtbot.addWidget(preview)
    preview.resize(640, 480)
    preview.show()
    preview.set_frame(frame)
    preview.regions = regions(frame, Thresholds(), Grid(1, 2))
    blurry_rgb = HINT_STYLES[Hint.BLURRY].colour.getRgb()[:3]
    shot = qimage_to_rgb(preview.grab().toImage())
    assert colour_fraction(shot, blurry_rgb, tol=6) == 0.0  # off until `g`
    preview.show_regions = True
    shot = qimage_to_rgb(preview.grab().toImage())
    w = shot.shape[1]
    assert colour_fraction(shot[:, w // 2:], blurry_rgb, tol=6) > 0.005
    assert colour_fraction(shot[:, : w // 2 - 4], blurry_rgb, tol=6) == 0.0
