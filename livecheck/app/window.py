"""The main window: the picture with hint badges, quality meter, HUD and banner laid over it."""
from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent, QKeyEvent
from PyQt6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from livecheck.app.badges import BadgeColumn
from livecheck.app.banner import Banner, BannerLevel
from livecheck.app.bridge import ResultBridge
from livecheck.app.hud import DisplayStats, Hud
from livecheck.app.meter import QualityMeter
from livecheck.app.preview import Picture, PreviewWidget, fit_picture
from livecheck.app.stall import StallMeter
from livecheck.result import FrameResult
from livecheck.timing import StageTimes

if TYPE_CHECKING:
    from livecheck.pipeline import PipelineStats

log = logging.getLogger(__name__)

KIOSK_SCALE = 1.7
HUD_WINDOW_FRAMES = 600
"""The HUD's GUI stage figures cover the newest this many samples (recent, and cheap to compute)."""
REFRESH_MS = 250
"""How often the HUD text and the meter's model age are redrawn without a new result."""


class MainWindow(QWidget):
    """Pure view: it shows the results the bridge delivers (or ``show_result``) and asks for snapshots.

    ``stats_source`` is called on each HUD refresh and returns the running pipeline's
    PipelineStats (or None); the window never touches the pipeline itself.
    """

    closed = pyqtSignal()
    """The window was closed (q, Esc, the window manager): the owner ends the event loop."""
    snapshot_requested = pyqtSignal()
    """The user asked to save the frame on screen (space bar): the snapshot policy does it."""
    result_shown = pyqtSignal(object)
    """A FrameResult now on screen (auto-capture watches these)."""

    def __init__(self, kiosk: bool = False, show_hud: bool = False, bridge: ResultBridge | None = None,
                 stats_source: Callable[[], PipelineStats | None] | None = None,
                 timings: StageTimes | None = None) -> None:
        super().__init__()
        self.timings = timings if timings is not None else StageTimes()
        """The GUI's stages (hand-over, convert, paint, capture-to-screen), beside the pipeline's."""
        self.setWindowTitle("livecheck")
        scale = KIOSK_SCALE if kiosk else 1.0
        self._stats_source = stats_source
        self.last_result: FrameResult | None = None
        self._shown_times: deque[float] = deque(maxlen=120)
        self._bridge = bridge

        self.preview = PreviewWidget(self, self.timings)
        self.badges = BadgeColumn(scale, self)
        self.banner = Banner(scale, self)
        self.meter = QualityMeter(scale, self)
        self.hud = Hud(scale, self)
        self.hud.setVisible(show_hud)

        overlay = QWidget(self)
        overlay.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        column = QVBoxLayout(overlay)
        margin = int(12 * scale)
        column.setContentsMargins(margin, margin, margin, margin)
        column.addWidget(self.banner, alignment=Qt.AlignmentFlag.AlignHCenter)
        middle = QHBoxLayout()
        middle.addWidget(self.badges, alignment=Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        middle.addStretch(1)
        middle.addWidget(self.hud, alignment=Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        column.addLayout(middle, 1)
        column.addWidget(self.meter, alignment=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.preview, 0, 0)
        grid.addWidget(overlay, 0, 0)

        self.stall = StallMeter(parent=self)
        self.stall.start()
        self._refresh = QTimer(self)
        self._refresh.setInterval(REFRESH_MS)
        self._refresh.timeout.connect(self._refresh_overlays)
        self._refresh.start()

        if bridge is not None:
            bridge.shown.connect(self.show_result)
            bridge.set_prepare(self._prepare_picture)
        if kiosk:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint)
            self.setCursor(Qt.CursorShape.BlankCursor)
        self.resize(960, 640)

    # -- what the owner feeds in -----------------------------------------------------------
    def _prepare_picture(self, result: FrameResult) -> Picture | None:
        """On the worker thread: the preview's picture of this frame, at the preview's size."""
        target = self.preview.target_size
        if result.image is None or target == (0, 0):
            return None
        start = time.perf_counter()
        picture = fit_picture(result.image, target)
        self.timings.add("worker_fit", (time.perf_counter() - start) * 1000.0)
        return picture

    def show_result(self, result: FrameResult, picture: Picture | None = None) -> None:
        """Show ``result`` (with ``picture``, its frame made ready to draw, when the bridge has one)."""
        self.timings.add("gui_handover", (time.monotonic() - result.t_done) * 1000.0)
        if result.image is not None:
            self.preview.set_frame(result.image, result.t_capture, picture)
        self.badges.set_hints(result.hints, result.blur_kind)
        self.preview.regions = result.regions or ()
        self.meter.set_result(result)
        self.hud.add_quality(result.quality, result.t_capture)
        self.last_result = result
        self._shown_times.append(time.monotonic())
        self.result_shown.emit(result)

    def show_banner(self, text: str, level: BannerLevel, timeout_s: float | None = None) -> None:
        log.info("banner: %s", text)
        self.banner.show_message(text, level, timeout_s)

    # -- keys ------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent | None) -> None:
        key = event.key() if event is not None else None
        if key == Qt.Key.Key_Space:
            self.snapshot_requested.emit()
        elif key == Qt.Key.Key_H:
            self.toggle_hud()
        elif key == Qt.Key.Key_F:
            self.toggle_fullscreen()
        elif key == Qt.Key.Key_G:
            self.preview.show_regions = not self.preview.show_regions
            self.preview.update()
        elif key in (Qt.Key.Key_Q, Qt.Key.Key_Escape):
            self.close()
        else:
            super().keyPressEvent(event)

    def toggle_hud(self) -> None:
        self.hud.setVisible(not self.hud.isVisible())
        self._refresh_overlays()

    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    # -- housekeeping ----------------------------------------------------------------------
    def display_stats(self) -> DisplayStats:
        times = self._shown_times
        fps = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0
        return DisplayStats(shown_fps=fps, skipped=self.frames_skipped,
                            max_stall_ms=self.stall.max_stall_ms,
                            max_own_stall_ms=self.stall.max_own_stall_ms,
                            stages_ms=self.timings.summary(last=HUD_WINDOW_FRAMES))

    @property
    def frames_skipped(self) -> int:
        """Analysed frames never painted: replaced in the bridge, or in the preview before a paint."""
        return (self._bridge.skipped if self._bridge else 0) + self.preview.frames_replaced

    def _refresh_overlays(self) -> None:
        self.meter.update()  # the model age keeps ticking between results
        if self.hud.isVisible():
            stats = self._stats_source() if self._stats_source is not None else None
            self.hud.refresh(self.last_result, stats, self.display_stats())

    def closeEvent(self, event: QCloseEvent | None) -> None:
        self._refresh.stop()
        self.stall.stop()
        super().closeEvent(event)
        self.closed.emit()
