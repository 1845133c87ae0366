"""Wires the pieces together and runs the Qt event loop: ``run_app(AppOptions) -> exit code``."""
from __future__ import annotations

import gc
import logging
import os
import sys
import time
from enum import Enum
from pathlib import Path

from PyQt6.QtCore import QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import QApplication

from livecheck.app.banner import BannerLevel
from livecheck.app.bridge import ResultBridge
from livecheck.app.display import display_available
from livecheck.app.options import CAMERA_DEFAULT, AppOptions
from livecheck.app.session import SourceSession, demo_clip_path
from livecheck.app.signals import SignalQuit
from livecheck.app.snapshot_policy import SnapshotPolicy
from livecheck.app.window import MainWindow
from livecheck.capture import SourceError, SourceEvent, SourceEventKind, is_camera_index
from livecheck.result import FrameResult
from livecheck.runstats import DisplayFigures, run_stats, write_stats
from livecheck.timing import StageTimes

log = logging.getLogger(__name__)

_IMPORTED_AT = time.monotonic()
WARM_S = 5.0
"""Longest start-up: after this long from the first frame the app counts as warm regardless."""
SCREENSHOT_GUARD_S = 20.0
"""--screenshot: give up (exit 1) if no screenshot was taken this long after --after."""


def seconds_since_process_start() -> float:
    """Time since the OS started this process (Linux /proc), else since this module was imported."""
    try:
        after_name = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        start_ticks = int(after_name[19])  # field 22, starttime, in clock ticks since boot
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED_AT


def _is_clip(spec: str) -> bool:
    """A file, folder or glob: something that ends and can be played again (cameras and URLs cannot)."""
    return not is_camera_index(spec) and ("://" not in spec or spec.lower().startswith("file:"))


class AppState(Enum):
    """Where the app is. Source events and the window move it on (``AppController._enter``)."""

    STARTING = "starting"
    """The window is up, no frame painted yet (models may still be loading)."""
    PLAYING = "playing"
    LOST = "lost"
    """The camera or stream stopped giving frames; the capture is reconnecting."""
    RESTARTING = "restarting"
    """A kiosk's source failed or gave up; the session opens it again shortly."""
    GAVE_UP = "gave up"
    """The source gave up for good (not a kiosk): the last picture stays, with the reason."""
    ENDED = "ended"
    """A clip that does not loop has played out, or the analysis stopped on an error."""
    SCREENSHOT = "screenshot"
    """``--screenshot``: the picture is being saved; the app quits next."""
    CLOSED = "closed"


class AppController(QObject):
    """Owns the window, the bridge and the source session for one run of the app."""

    warmed_up = pyqtSignal()
    """Emitted once, when the first learned-model score is on screen (the models have loaded), or
    WARM_S after the first frame when none arrives. Stalls before it are start-up stalls."""

    def __init__(self, options: AppOptions) -> None:
        super().__init__()
        self.options = options
        self.exit_code = 0
        self.first_frame_s: float | None = None
        """Seconds from process start to the first painted frame."""
        self.state = AppState.STARTING
        self._looping = False
        """The Qt event loop is running (``exec``)."""
        self.bridge = ResultBridge(self)
        self.timings = StageTimes()
        """Every stage of the live path, pipeline and GUI alike (``--stats-json``, the HUD)."""
        self.session = SourceSession(self.bridge, options.pipeline_config, options.fps, loop=options.loop_clip,
                                     kiosk=options.kiosk, parent=self, timings=self.timings)
        self.window = MainWindow(kiosk=options.kiosk, show_hud=options.show_hud, bridge=self.bridge,
                                 stats_source=lambda: self.session.stats, timings=self.timings)
        self.snapshots = SnapshotPolicy(self.window, options.snapshot_dir, options.auto_capture_s, self)
        self.bridge.source_event.connect(self._on_source_event)
        self.session.opened.connect(self._on_opened)
        self.session.failed.connect(self._on_failed)
        self.session.ended.connect(self._on_ended)
        self.window.preview.first_paint.connect(self._on_first_paint)
        # The controller ends the event loop itself when its window closes: Qt's automatic
        # last-window quit would post a Quit event that can outlive this run (tests, embedding)
        # and make every later event loop in the process return at once.
        self.window.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.window.closed.connect(self._on_window_closed)
        self._signals = SignalQuit(self._on_signal, self)
        self._warm = False
        self.bridge.result.connect(self._check_warm)
        self._warm_timer = QTimer(self)
        self._warm_timer.setSingleShot(True)
        self._warm_timer.timeout.connect(self._become_warm)
        self._screenshot_guard = QTimer(self)
        self._screenshot_guard.setSingleShot(True)
        self._screenshot_guard.timeout.connect(self._no_frame_for_screenshot)

    # -- start and stop --------------------------------------------------------------------
    def start(self) -> bool:
        """Open the source (falling back to the demo clip) and show the window.

        False, with a one-line error on stderr, when there is nothing to show.
        """
        spec = self.options.source if self.options.source is not None else CAMERA_DEFAULT
        try:
            self.session.open_now(spec)
        except SourceError as exc:
            if is_camera_index(spec):
                log.info("camera %s: %s", spec, exc)
                demo = str(demo_clip_path())
                try:
                    self.session.open_now(demo)
                except SourceError as demo_exc:
                    print(f"livecheck: error: no camera at index {spec}, and the demo clip failed: "
                          f"{demo_exc}", file=sys.stderr)
                    return False
                self.window.show_banner(f"No camera at index {spec} — playing the demo clip",
                                        BannerLevel.INFO, None if self.options.kiosk else 8.0)
            else:  # a kiosk's session does not raise: it says so and tries again
                print(f"livecheck: error: {exc}", file=sys.stderr)
                return False
        self._signals.install()
        if self.options.screenshot is not None:
            self._screenshot_guard.start(int((self.options.after_s + SCREENSHOT_GUARD_S) * 1000))
        if self.options.kiosk:
            # Kiosks often run X with no window manager, which ignores the fullscreen request:
            # cover the screen explicitly as well.
            if (screen := self.window.screen()) is not None:
                self.window.setGeometry(screen.geometry())
            self.window.showFullScreen()
        else:
            self.window.show()
        return True

    def shutdown(self) -> None:
        """Stop the source (threads joined, models closed) and flush snapshots. Idempotent."""
        if self.state is AppState.CLOSED:
            return
        self._enter(AppState.CLOSED)
        self._warm_timer.stop()
        self._screenshot_guard.stop()
        self.window.close()
        self.session.close()
        self.snapshots.close()
        self._signals.uninstall()
        self._print_summary()
        if self.options.stats_json is not None:
            self._write_stats(self.options.stats_json)

    def run_stats(self) -> dict[str, object]:
        """The ``--stats-json`` object for this run so far (livecheck.runstats)."""
        stall = self.window.stall
        display = DisplayFigures(
            shown=self.window.preview.frames_shown, skipped=self.window.frames_skipped,
            max_stall_ms=stall.max_stall_ms, max_own_stall_ms=stall.max_own_stall_ms,
            startup_max_stall_ms=stall.warmup_max_stall_ms if self._warm else stall.max_stall_ms,
            startup_max_own_stall_ms=(stall.warmup_max_own_stall_ms if self._warm
                                      else stall.max_own_stall_ms),
            first_frame_s=self.first_frame_s)
        return run_stats(self.session.all_stats(), self.timings, display)

    def _write_stats(self, path: Path) -> None:
        try:
            write_stats(path, self.run_stats())
        except OSError as exc:
            print(f"livecheck: error: cannot write --stats-json {path}: {exc.strerror or exc}", file=sys.stderr)
            self.exit_code = self.exit_code or 1

    def _print_summary(self) -> None:
        if self.first_frame_s is None:
            return
        session, stall = self.session, self.window.stall
        warm_up = ""
        if self._warm:
            warm_up = (f"; while starting up (models loading) {stall.warmup_max_stall_ms:.0f} ms "
                       f"({stall.warmup_max_own_stall_ms:.0f} ms)")
        analysed = sum(st.analysed for st in session.all_stats())
        dropped = sum(st.dropped for st in session.all_stats())
        print(f"livecheck: {analysed} frames analysed, {dropped} dropped; "
              f"{self.bridge.delivered} shown, max event-loop stall "
              f"{stall.max_stall_ms:.0f} ms ({stall.max_own_stall_ms:.0f} ms not waiting for a CPU)"
              f"{warm_up}", file=sys.stderr, flush=True)

    def exec(self) -> int:
        """Run the Qt event loop until ``quit``; returns the exit code."""
        app = QApplication.instance()
        assert app is not None, "create the QApplication first"
        self._looping = True
        try:
            code = app.exec()
        finally:
            self._looping = False
        return code or self.exit_code

    def quit(self, code: int = 0) -> None:
        """End ``exec()`` with ``code``; the window closes in ``shutdown()``.

        Outside ``exec()`` only the code is kept: QCoreApplication.exit() with no loop running
        would leave Qt's quit flag set and make every later event loop return at once.
        """
        self.exit_code = code
        app = QApplication.instance()
        if self._looping and app is not None:
            app.exit(code)

    def _on_window_closed(self) -> None:
        if self.state is not AppState.CLOSED:
            self.quit(self.exit_code)

    def _enter(self, state: AppState) -> None:
        if state is not self.state:
            log.debug("app: %s -> %s", self.state.value, state.value)
            self.state = state

    # -- reactions -------------------------------------------------------------------------
    def _on_first_paint(self, _t: float) -> None:
        self.first_frame_s = seconds_since_process_start()
        self._enter(AppState.PLAYING)
        self.window.stall.reset()  # mapping the window and loading fonts come before the picture
        self._warm_timer.start(int(WARM_S * 1000))
        print(f"livecheck: watching {self.session.description} — first frame on screen "
              f"{self.first_frame_s:.2f} s after start", file=sys.stderr, flush=True)
        if self.options.screenshot is not None:
            QTimer.singleShot(int(self.options.after_s * 1000), self._take_screenshot)

    def _check_warm(self, result: FrameResult) -> None:
        if result.models and self.first_frame_s is not None:
            self._become_warm()

    def _become_warm(self) -> None:
        if self._warm:
            return
        self._warm = True
        self._warm_timer.stop()
        self.bridge.result.disconnect(self._check_warm)
        self.window.stall.mark_warm()
        self.warmed_up.emit()

    def _take_screenshot(self) -> None:
        path = self.options.screenshot
        assert path is not None
        self._enter(AppState.SCREENSHOT)
        self.window.stall.stop()  # grabbing and PNG-encoding the window ends the run: not a stall
        if not self.window.grab().save(str(path)):
            print(f"livecheck: error: cannot write screenshot {path}", file=sys.stderr)
            self.quit(1)
            return
        log.info("screenshot saved to %s", path)
        self.quit(0)

    def _no_frame_for_screenshot(self) -> None:
        waited = self.options.after_s + SCREENSHOT_GUARD_S
        print(f"livecheck: error: no frame shown after {waited:.0f} s, so no screenshot", file=sys.stderr)
        self.quit(1)

    def _on_signal(self, signum: int) -> None:
        log.info("signal %d: quitting", signum)
        self.quit(128 + signum)

    def _on_source_event(self, event: SourceEvent) -> None:
        kind = event.kind
        if kind is SourceEventKind.LOST:
            self._enter(AppState.LOST)
            self.window.show_banner(f"Source lost — reconnecting ({event.message})", BannerLevel.WARNING)
        elif kind is SourceEventKind.RECONNECTED:
            self._enter(AppState.PLAYING)
            self.window.show_banner("Reconnected", BannerLevel.OK, 3.0)
        elif kind is SourceEventKind.RESTARTING:
            self._enter(AppState.RESTARTING)
            self.window.show_banner(f"Source failed — {event.message}", BannerLevel.ERROR)
        elif kind is SourceEventKind.ERROR:
            self._enter(AppState.RESTARTING if self.options.kiosk else AppState.GAVE_UP)
            self.window.show_banner(f"Source gave up: {event.message}", BannerLevel.ERROR)
        elif kind is SourceEventKind.WARNING:
            self.window.show_banner(event.message, BannerLevel.WARNING, 4.0)
        elif kind is SourceEventKind.OPENED and self.first_frame_s is not None:
            self._enter(AppState.PLAYING)
        # ENDED: a looping clip opens again by itself; one that does not loop ends the stream (_on_ended)

    def _on_ended(self, error: BaseException | None) -> None:
        """The session's stream is over: nothing more will come from this source."""
        spec = self.session.spec or ""
        if error is not None:
            self._enter(AppState.ENDED)
            self.window.show_banner(f"Analysis stopped: {error}", BannerLevel.ERROR)
        elif self.state is not AppState.GAVE_UP:  # a source that gave up has said why already
            self._enter(AppState.ENDED)
            if _is_clip(spec):
                self.window.show_banner("End of clip", BannerLevel.INFO)

    def _on_opened(self, _spec: str) -> None:
        self.window.setWindowTitle(f"livecheck — {self.session.description}")
        if self.window.banner.level in (BannerLevel.ERROR, BannerLevel.WARNING):
            self.window.banner.dismiss()

    def _on_failed(self, _spec: str, message: str) -> None:
        self.window.show_banner(message, BannerLevel.ERROR)


class GcWarmUp(QObject):
    """No cyclic garbage collection while the app warms up, then ``gc.freeze()``.

    A full collection walks every tracked object; with Qt, NumPy, OpenCV and MediaPipe loaded that
    is a long pause, in whichever thread set it off (often the model thread importing MediaPipe,
    GIL held), and the event loop stalls for as long (the README has the figures). Until the controller says it
    is warm nothing is collected; then everything alive is frozen out of the collector's sight,
    so later collections only walk what was made since.
    """

    def __init__(self, controller: AppController) -> None:
        super().__init__(controller)
        self._done = False
        gc.disable()
        controller.warmed_up.connect(self.finish)

    def finish(self) -> None:
        """Freeze and re-enable the collector (idempotent)."""
        if self._done:
            return
        self._done = True
        gc.freeze()
        gc.enable()


def run_app(options: AppOptions) -> int:
    """Run the live view until the window closes; returns the process exit code.

    2 with a one-line message when there is no display (check ``display_available()`` first to
    fall back to headless output) or the source cannot be opened.
    """
    if not display_available():
        print("livecheck: error: no display (set DISPLAY, or QT_QPA_PLATFORM=offscreen)", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "livecheck"])
    app.setApplicationName("livecheck")
    controller = AppController(options)
    warm_up = GcWarmUp(controller)
    code = 2
    try:
        if controller.start():
            code = controller.exec()
    finally:
        warm_up.finish()
        controller.shutdown()
    return code or controller.exit_code  # shutdown sets 1 if --stats-json could not be written
