"""The heads-up display (toggle with h): throughput, latency, drops, raw metrics, model scores."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PyQt6.QtGui import QFont
from PyQt6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from livecheck.app.sparkline import Sparkline
from livecheck.result import FrameResult

if TYPE_CHECKING:
    from livecheck.pipeline import PipelineStats

HUD_COLUMNS = 56
"""Longer lines (a model's unavailability reason, say) are cut so the HUD never widens the window."""


@dataclass(frozen=True, slots=True)
class DisplayStats:
    """What the window itself measured (the pipeline's own figures come from PipelineStats)."""

    shown_fps: float
    skipped: int
    max_stall_ms: float
    max_own_stall_ms: float
    stages_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    """The GUI thread's stages (``StageTimes.summary``): gui_handover, gui_convert, gui_paint,
    capture_to_screen."""


def _p99(stages: dict[str, dict[str, float]], name: str) -> str:
    """A stage's p99 in as few characters as it needs (whole ms from 10 up), "-" if never timed."""
    if name not in stages:
        return "-"
    value = stages[name]["p99"]
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def format_hud(result: FrameResult | None, pipeline_stats: PipelineStats | None, display: DisplayStats,
               now: float) -> str:
    """The HUD text; the pipeline's lines are left out when no pipeline runs."""
    lines: list[str] = []
    if pipeline_stats is not None:
        st = pipeline_stats
        lines.append(f"capture   {st.capture_fps:5.1f} fps  shown {display.shown_fps:5.1f} fps")
        lines.append(f"latency   p50 {st.latency_p50_ms:5.1f} ms  p99 {st.latency_p99_ms:5.1f} ms")
        lines.append(f"frames    {st.captured} in, {st.analysed} analysed, {st.dropped} dropped")
        stages = st.stages_ms
        lines.append(f"p99 ms    queue {_p99(stages, 'queue')} checks {_p99(stages, 'checks')} "
                     f"off-CPU {_p99(stages, 'checks_off_cpu')} hints {_p99(stages, 'hints')}")
    else:
        lines.append(f"shown     {display.shown_fps:5.1f} fps")
    gui = display.stages_ms
    if "capture_to_screen" in gui:
        screen = gui["capture_to_screen"]
        lines.append(f"screen    p50 {screen['p50']:5.1f} ms  p99 {screen['p99']:5.1f} ms")
    lines.append(f"gui p99   hand-over {_p99(gui, 'gui_handover')}  convert {_p99(gui, 'gui_convert')}  "
                 f"paint {_p99(gui, 'gui_paint')}")
    lines.append(f"display   {display.skipped} skipped, max UI stall {display.max_stall_ms:.0f} ms "
                 f"({display.max_own_stall_ms:.0f} own)")
    if result is not None:
        shown = ", ".join(sorted(h.value for h in result.hints)) or "-"
        raw = ", ".join(sorted(h.value for h in result.frame_hints)) or "-"
        lines.append(f"hints     {shown}  (this frame: {raw})")
        lines.append("metrics")
        lines.extend(f"  {name:<16}{value:10.3f}" for name, value in sorted(result.metrics.items()))
        if result.models or result.unavailable_models:
            lines.append("models")
        for name, score in sorted(result.models.items()):
            values = (f"error: {score.error}" if score.error is not None
                      else "  ".join(f"{k} {v:.3f}" for k, v in score.values.items()))
            lines.append(f"  {name:<8}{values}  ({now - score.t_capture:.1f} s old)")
        for name, why in sorted(result.unavailable_models.items()):
            why = why.removeprefix(f"{name}: ")
            lines.append(f"  {name:<8}unavailable: {why}")
    lines.append("quality, last 10 s")
    return "\n".join(_clip(line) for line in lines)


def _clip(line: str, width: int = HUD_COLUMNS) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


class Hud(QFrame):
    def __init__(self, scale: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hud")
        self.setStyleSheet("#hud { background: rgba(0, 0, 0, 170); border-radius: 8px; }"
                           "QLabel { color: #e8e8e8; background: transparent; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        self.label = QLabel(self)
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(9.0 * scale)
        self.label.setFont(font)
        layout.addWidget(self.label)
        self.sparkline = Sparkline(parent=self)
        layout.addWidget(self.sparkline)

    def add_quality(self, quality: float, t: float) -> None:
        self.sparkline.add(quality, t)

    def refresh(self, result: FrameResult | None, pipeline_stats: PipelineStats | None,
                display: DisplayStats) -> None:
        if self.isVisible():
            self.label.setText(format_hud(result, pipeline_stats, display, time.monotonic()))
            self.adjustSize()
