"""The app wired to the real pipeline and capture, in-process, offscreen."""
from __future__ import annotations

import gc
import threading
import time
from pathlib import Path

import cv2
import pytest
from PyQt6.QtCore import Qt
from support.app import make_result
from support.media import write_video  # sets QT_QPA_PLATFORM=offscreen first

from livecheck.app import AppOptions, controller, run_app
from livecheck.app import session as app_session
from livecheck.app.banner import BannerLevel
from livecheck.app.controller import AppController, AppState, GcWarmUp
from livecheck.app.session import demo_clip_path
from livecheck.capture import SourceEvent, SourceEventKind
from livecheck.pipeline import PipelineConfig
from livecheck.result import ModelScore

FAST = PipelineConfig(models=())
"""Fast checks only: these tests are about the app, not the models (test_app_process runs them all)."""


def _livecheck_threads() -> list[str]:
    return sorted(t.name for t in threading.enumerate() if t.name.startswith("livecheck"))


@pytest.fixture
def demo() -> str:
    path = demo_clip_path()
    if not path.is_file():
        pytest.skip(f"demo clip missing: {path} (make it with scripts/make_demo_clip.py)")
    return str(path)


@pytest.fixture
def make_controller(qtbot, tmp_path):
    made: list[AppController] = []

    def make(**kwargs) -> AppController:
        kwargs.setdefault("pipeline_config", FAST)
        kwargs.setdefault("snapshot_dir", tmp_path)
        ctrl = AppController(AppOptions(**kwargs))
        qtbot.addWidget(ctrl.window)
        made.append(ctrl)
        return ctrl

    yield make
    for ctrl in made:
        ctrl.shutdown()


def tiny_clip(path: Path, frames: int = 10) -> Path:
    return write_video(path, frames, fourcc="mp4v")


def test_no_camera_plays_the_demo_clip_with_a_banner(qtbot, make_controller, demo):
    ctrl = make_controller(source="0")  # there is no camera on the test machines
    if not ctrl.start():
        pytest.fail("start() failed")
    if ctrl.session.spec == "0":
        pytest.skip("a camera is present at index 0")
    assert ctrl.session.spec == demo
    assert ctrl.window.banner.text == "No camera at index 0 — playing the demo clip"
    assert ctrl.window.banner.isVisible()
    qtbot.waitUntil(lambda: ctrl.first_frame_s is not None, timeout=5000)
    assert ctrl.window.preview.frames_painted >= 1


def test_shutdown_joins_every_thread_and_flushes(qtbot, make_controller, demo, tmp_path):
    before = _livecheck_threads()
    ctrl = make_controller(source=demo)
    assert ctrl.start()
    qtbot.waitUntil(lambda: ctrl.window.last_result is not None, timeout=5000)
    future = ctrl.snapshots.save_shown()
    assert future is not None
    t0 = time.monotonic()
    ctrl.shutdown()
    assert time.monotonic() - t0 < 1.0
    assert future.done() and future.result().is_file()
    assert _livecheck_threads() == before


def test_a_finished_clip_starts_again(qtbot, make_controller, tmp_path):
    clip = tiny_clip(tmp_path / "tiny.mp4")
    ctrl = make_controller(source=str(clip))
    assert ctrl.start()
    with qtbot.waitSignal(ctrl.session.opened, timeout=5000) as reopened:
        pass
    assert reopened.args == [str(clip)]
    qtbot.waitUntil(lambda: ctrl.window.last_result is not None, timeout=2000)


def test_a_finished_clip_says_so_when_not_looping(qtbot, make_controller, tmp_path):
    clip = tiny_clip(tmp_path / "tiny.mp4")
    ctrl = make_controller(source=str(clip), loop_clip=False)
    assert ctrl.start()
    qtbot.waitUntil(lambda: ctrl.window.windowTitle() == "livecheck — video tiny.mp4 (160x120 @ 25 fps, 10 frames)",
                    timeout=5000)
    qtbot.waitUntil(lambda: ctrl.window.banner.text == "End of clip", timeout=5000)
    assert ctrl.state is AppState.ENDED
    assert ctrl.window.last_result is not None


def test_source_events_show_as_banners(qtbot, make_controller, demo):
    ctrl = make_controller(source=demo)
    banner = ctrl.window.banner
    cases = [
        (SourceEventKind.LOST, "no frames for 1.0 s", "Source lost — reconnecting (no frames for 1.0 s)",
         BannerLevel.WARNING),
        (SourceEventKind.RECONNECTED, "camera 0 is back", "Reconnected", BannerLevel.OK),
        (SourceEventKind.ERROR, "gone for 30 s", "Source gave up: gone for 30 s", BannerLevel.ERROR),
    ]
    states = {SourceEventKind.LOST: AppState.LOST, SourceEventKind.RECONNECTED: AppState.PLAYING,
              SourceEventKind.ERROR: AppState.GAVE_UP}
    for kind, message, text, level in cases:
        ctrl.bridge.post_event(SourceEvent(kind, message, time.monotonic()))
        qtbot.waitUntil(lambda text=text: banner.text == text, timeout=1000)
        assert banner.level is level and banner.active
        assert ctrl.state is states[kind]


def test_kiosk_is_fullscreen_without_cursor_and_retries_a_failing_source(
        qtbot, make_controller, monkeypatch, tmp_path):
    monkeypatch.setattr(app_session, "KIOSK_RESTART_S", 0.1)
    ctrl = make_controller(source=str(tmp_path / "missing.mp4"), kiosk=True)
    restarts: list[SourceEvent] = []
    ctrl.bridge.source_event.connect(
        lambda e: restarts.append(e) if e.kind is SourceEventKind.RESTARTING else None)
    assert ctrl.start()  # a kiosk shows the problem instead of exiting
    qtbot.waitUntil(ctrl.window.isFullScreen, timeout=1000)
    assert ctrl.window.cursor().shape() == Qt.CursorShape.BlankCursor
    assert bool(ctrl.window.windowFlags() & Qt.WindowType.FramelessWindowHint)
    qtbot.waitUntil(lambda: len(restarts) >= 2, timeout=3000)  # it keeps trying
    text = ctrl.window.banner.text
    assert text.startswith("Source failed — restarting in 0.1 s") and "no such file" in text
    assert ctrl.state is AppState.RESTARTING


def test_unopenable_source_is_a_one_line_error(qtbot, capsys, tmp_path):
    code = run_app(AppOptions(source=str(tmp_path / "missing.mp4"), pipeline_config=FAST))
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("livecheck: error: ") and "missing.mp4" in err and "\n" not in err


def test_screenshot_mode_saves_the_window_and_exits_zero(qtbot, tmp_path, demo):
    out = tmp_path / "shot.png"
    code = run_app(AppOptions(source=demo, screenshot=out, after_s=0.3, pipeline_config=FAST,
                              snapshot_dir=tmp_path))
    assert code == 0
    image = cv2.imread(str(out))
    assert image is not None and image.shape[0] >= 300 and image.std() > 10  # a picture, not a blank
    assert _livecheck_threads() == []


def test_screenshot_gives_up_when_no_frame_ever_shows(qtbot, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(controller, "SCREENSHOT_GUARD_S", 0.3)
    out = tmp_path / "never.png"
    code = run_app(AppOptions(source=str(tmp_path / "missing.mp4"), kiosk=True, screenshot=out,
                              after_s=0.1, pipeline_config=FAST))
    assert code == 1
    assert not out.exists()
    assert "no frame shown" in capsys.readouterr().err


def test_no_display_is_an_error_not_an_abort(monkeypatch, capsys):
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert run_app(AppOptions(pipeline_config=FAST)) == 2
    assert capsys.readouterr().err.startswith("livecheck: error: no display")


def test_warm_up_pauses_gc_and_splits_the_stall_figures(qtbot, make_controller, demo):
    ctrl = make_controller(source=demo)
    assert ctrl.start()
    qtbot.waitUntil(lambda: ctrl.first_frame_s is not None, timeout=5000)
    warm = GcWarmUp(ctrl)
    try:
        assert not gc.isenabled()
        ctrl.bridge.post_result(make_result())  # fast checks only: the models are still loading
        qtbot.wait(50)
        assert not gc.isenabled()
        ctrl.window.stall.max_own_stall_ms = 80.0  # as if model loading had held the GIL
        score = ModelScore("nima", {"mean": 5.0}, seq=0, t_capture=time.monotonic(), latency_ms=8.0)
        with qtbot.waitSignal(ctrl.warmed_up, timeout=1000):
            ctrl.bridge.post_result(make_result(models={"nima": score}))
        assert gc.isenabled()
        assert ctrl.window.stall.warmup_max_own_stall_ms == 80.0
        assert ctrl.window.stall.max_own_stall_ms < 80.0  # the steady state is measured afresh
    finally:
        warm.finish()
        gc.unfreeze()
    assert gc.isenabled()
