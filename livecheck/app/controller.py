"""Wires the pieces together and runs the Qt event loop: ``run_app(AppOptions) -> exit code``."""
from __future__ import annotations

import gc
import logging
import os
import sys
import time
from pathlib import Path

from PyQt6.QtCore import QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import QApplication

from livecheck.app.banner import BannerLevel
from livecheck.app.bridge import ResultBridge
from livecheck.app.display import display_available
from livecheck.app.options import CAMERA_DEFAULT, AppOptions
from livecheck.app.session import SourceSession, demo_clip_path, is_camera_index
from livecheck.app.signals import SignalQuit
from livecheck.app.window import MainWindow
from livecheck.capture import RetryPolicy, SourceError, SourceEvent, SourceEventKind
from livecheck.result import FrameResult
from livecheck.runstats import DisplayFigures, run_stats, write_stats
from livecheck.timing import StageTimes

log = logging.getLogger(__name__)

_IMPORTED_AT = time.monotonic()
WATCH_MS = 250
"""How often the controller checks whether the source has ended or died."""
RETRY_S = 2.0
"""Kiosk mode: wait this long before opening a failed source again."""
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
        self._end_handled = False
        """The running source's end was dealt with (looped, retried or reported)."""
        self._shut_down = False
        self._looping = False
        self.bridge = ResultBridge(self)
        self.timings = StageTimes()
        """Every stage of the live path, pipeline and GUI alike (``--stats-json``, the HUD)."""
        # a kiosk never gives up on a lost camera or stream; elsewhere the capture's default applies
        retry = RetryPolicy(max_wait=None) if options.kiosk else None
        self.session = SourceSession(self.bridge, options.pipeline_config, options.fps, retry, self,
                                     timings=self.timings)
        self.window = MainWindow(
            options.snapshot_dir, kiosk=options.kiosk, show_hud=options.show_hud,
            auto_capture_s=options.auto_capture_s, bridge=self.bridge,
            stats_source=lambda: self.session.stats, timings=self.timings,
        )
        self.bridge.source_event.connect(self._on_source_event)
        self.session.opened.connect(self._on_opened)
        self.session.failed.connect(self._on_failed)
        self.window.preview.first_paint.connect(self._on_first_paint)
        # The controller ends the event loop itself when its window closes: Qt's automatic
        # last-window quit would post a Quit event that can outlive this run (tests, embedding)
        # and make every later event loop in the process return at once.
        self.window.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.window.closed.connect(self._on_window_closed)
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self._check_source)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(lambda: self.session.open_later(self._retry_spec))
        self._retry_spec = ""
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
            elif self.options.kiosk:
                self.window.show_banner(f"Retrying in {RETRY_S:g} s — {exc}", BannerLevel.ERROR)
                self._retry_later(spec)
            else:
                print(f"livecheck: error: {exc}", file=sys.stderr)
                return False
        self._signals.install()
        self._watch.start()
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
        if self._shut_down:
            return
        self._shut_down = True
        self._watch.stop()
        self._retry.stop()
        self._warm_timer.stop()
        self._screenshot_guard.stop()
        self.window.close()
        self.session.close()
        self.window.flush()
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
        print(f"livecheck: {session.analysed} frames analysed, {session.dropped} dropped; "
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
        if not self._shut_down:
            self.quit(self.exit_code)

    # -- reactions -------------------------------------------------------------------------
    def _on_first_paint(self, _t: float) -> None:
        self.first_frame_s = seconds_since_process_start()
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
            self.window.show_banner(f"Source lost — reconnecting ({event.message})", BannerLevel.WARNING)
        elif kind is SourceEventKind.RECONNECTED:
            self.window.show_banner("Reconnected", BannerLevel.OK, 3.0)
        elif kind is SourceEventKind.ERROR:
            self.window.show_banner(f"Source gave up: {event.message}", BannerLevel.ERROR)
        elif kind is SourceEventKind.WARNING:
            self.window.show_banner(event.message, BannerLevel.WARNING, 4.0)
        # OPENED needs no banner; ENDED is the watchdog's business (it loops clips)

    def _check_source(self) -> None:
        """Every WATCH_MS: has the source ended or died? Loop a clip; restart in a kiosk."""
        finished, error = self.session.finished()
        spec = self.session.spec
        if not finished or self._end_handled or spec is None:
            return
        self._end_handled = True  # until a source opens again
        if error is not None:
            log.error("analysis stopped: %r", error)
            self.window.show_banner(f"Analysis stopped: {error}", BannerLevel.ERROR)
        clip = _is_clip(spec)
        if error is None and clip and self.options.loop_clip:
            self.session.open_later(spec)
        elif self.options.kiosk:
            if error is None:
                self.window.show_banner("Source stopped — restarting", BannerLevel.WARNING)
            self._retry_later(spec)
        elif error is None and clip:
            self.window.show_banner("End of clip", BannerLevel.INFO)
        # a live source that gave up has already said why (SourceEventKind.ERROR banner)

    def _retry_later(self, spec: str) -> None:
        self._end_handled = True
        self._retry_spec = spec
        self._retry.start(int(RETRY_S * 1000))

    def _on_opened(self, _spec: str) -> None:
        self._end_handled = False
        self.window.setWindowTitle(f"livecheck — {self.session.description}")
        if self.window.banner.level in (BannerLevel.ERROR, BannerLevel.WARNING):
            self.window.banner.dismiss()

    def _on_failed(self, spec: str, message: str) -> None:
        if self.options.kiosk:
            self.window.show_banner(f"Retrying in {RETRY_S:g} s — {message}", BannerLevel.ERROR)
            self._retry_later(spec)
        else:
            self.window.show_banner(message, BannerLevel.ERROR)


class GcWarmUp(QObject):
    """No cyclic garbage collection while the app warms up, then ``gc.freeze()``.

    A full collection walks every tracked object; with Qt, NumPy, OpenCV and MediaPipe loaded it
    took 15-40 ms here, in whichever thread set it off (often the model thread importing
    MediaPipe, GIL held), and the event loop stalled for as long. Until the controller says it
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
