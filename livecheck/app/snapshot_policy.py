"""When frames are saved: on request (the space bar) and by auto-capture, with a banner for the
outcome. The window only asks (``snapshot_requested``) and shows; the writing is
:class:`livecheck.app.snapshot.SnapshotWriter`'s, on its own thread."""
from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from PyQt6.QtCore import QObject, pyqtSignal

from livecheck.app.banner import BannerLevel
from livecheck.app.snapshot import AutoCapture, SnapshotReason, SnapshotWriter
from livecheck.app.window import MainWindow
from livecheck.result import FrameResult


class SnapshotPolicy(QObject):
    done = pyqtSignal(object)
    """A finished snapshot Future (emitted from the writer thread, handled in the GUI thread)."""

    def __init__(self, window: MainWindow, directory: Path, auto_capture_s: float | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self._writer = SnapshotWriter(directory)
        self._auto = AutoCapture(auto_capture_s) if auto_capture_s else None
        window.snapshot_requested.connect(self.save_shown)
        window.result_shown.connect(self._on_shown)
        self.done.connect(self._report)

    def save_shown(self) -> Future[Path] | None:
        """Save the frame on screen (PNG + JSON sidecar) in the background; None if no frame yet."""
        shown = self._window.last_result
        if shown is None or shown.image is None:
            self._window.show_banner("No frame to save yet", BannerLevel.WARNING, 2.0)
            return None
        return self._save(shown, SnapshotReason.MANUAL)

    def close(self) -> None:
        """Wait for queued snapshots to reach the disk (called once, on the way out)."""
        self._writer.close()

    def _on_shown(self, result: FrameResult) -> None:
        if self._auto is not None and (best := self._auto.update(result)) is not None:
            self._save(best, SnapshotReason.AUTO)

    def _save(self, result: FrameResult, reason: SnapshotReason) -> Future[Path]:
        future = self._writer.save(result, reason)
        future.add_done_callback(self.done.emit)
        return future

    def _report(self, future: Future[Path]) -> None:
        exc = future.exception()
        if exc is not None:
            self._window.show_banner(f"Snapshot failed: {exc}", BannerLevel.ERROR, 5.0)
        else:
            self._window.show_banner(f"Saved {future.result().name}", BannerLevel.OK, 2.5)
