"""What the CLI hands to the Qt app: one frozen dataclass, no option dicts."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from livecheck.pipeline import PipelineConfig

CAMERA_DEFAULT = "0"
"""The source used when none is given: the first camera (with the demo clip as fallback)."""


@dataclass(frozen=True, slots=True)
class AppOptions:
    source: str | None = None
    """Camera index, file, folder or URL; None means camera 0, falling back to the demo clip."""
    kiosk: bool = False
    """Fullscreen, no window chrome, large type, hidden cursor, source restarted when it fails."""
    screenshot: Path | None = None
    """Save a picture of the window ``after_s`` seconds after the first frame is shown, then exit."""
    after_s: float = 3.0
    fps: float | None = None
    """Pace a clip/folder at this rate instead of the source's own."""
    snapshot_dir: Path = Path(".")
    auto_capture_s: float | None = None
    """Save the best frame once every hint has stayed clear for this many seconds."""
    show_hud: bool = False
    pipeline_config: PipelineConfig | None = None
    """Analysis settings; ``keep_images`` is forced on (the preview needs the pictures)."""
    loop_clip: bool = True
    """Start a finished clip or folder again (a camera is never 'finished')."""
    stats_json: Path | None = None
    """Write the run's figures here as one JSON object when the app exits (livecheck.runstats)."""

    def __post_init__(self) -> None:
        if self.after_s < 0:
            raise ValueError(f"--after must be >= 0 seconds, got {self.after_s}")
        if self.auto_capture_s is not None and self.auto_capture_s <= 0:
            raise ValueError(f"--auto-capture must be > 0 seconds, got {self.auto_capture_s}")
        if self.fps is not None and self.fps <= 0:
            raise ValueError(f"--fps must be > 0, got {self.fps}")
