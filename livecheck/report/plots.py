"""The report's plots, drawn with matplotlib (the optional ``report`` extra) into inline SVG text.

Figures are made with ``matplotlib.figure.Figure`` directly, not pyplot: no backend, no global
state, nothing shown. Text stays text in the SVG (``svg.fonttype: none``), so it is small, sharp
and searchable in the browser; ids are salted with a fixed string so the same run gives the same file.
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from livecheck.expect.timeline import Window
from livecheck.hint import HINT_SPECS, Hint
from livecheck.report.records import FrameRecord, PhotoBatch, ReplayRun

FIG_WIDTH_IN = 11.0
LEFT_IN, RIGHT_IN = 1.5, 0.15
"""Fixed margins (inches), so the time axes of the timeline and of the model scores line up."""
INK = "#2b2f36"
GRID = "#e3e6ea"
NONE_COLOUR = "#9aa3ad"
SVG_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "livecheck",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.edgecolor": "#b8bec6",
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
}


MAX_POINTS = 3000
"""A curve with more points is thinned to the lowest and the highest of each stretch: the plot is
about 1000 px wide, so more would not show, and thinning that way keeps every spike."""
MARKER_POINTS = 300
"""Model scores get a dot per result up to this many results."""


def thin(ts: Sequence[float], values: Sequence[float]) -> tuple[Sequence[float], Sequence[float]]:
    if len(ts) <= MAX_POINTS:
        return ts, values
    v = np.asarray(values)
    keep: set[int] = set()
    for chunk in np.array_split(np.arange(len(v)), MAX_POINTS // 2):
        keep.update((int(chunk[v[chunk].argmin()]), int(chunk[v[chunk].argmax()])))
    order = sorted(keep)
    return [ts[i] for i in order], [values[i] for i in order]


def thin_band(ts: Sequence[float], low: Sequence[float], high: Sequence[float]) -> tuple[Sequence[float], ...]:
    """A shaded range thinned to each stretch's lowest ``low`` and highest ``high``."""
    if len(ts) <= MAX_POINTS:
        return ts, low, high
    chunks = np.array_split(np.arange(len(ts)), MAX_POINTS)
    lo, hi, t = np.asarray(low), np.asarray(high), np.asarray(ts)
    return [float(t[c[0]]) for c in chunks], [float(lo[c].min()) for c in chunks], [float(hi[c].max()) for c in chunks]


@dataclass(frozen=True)
class Series:
    """One line of a metric panel: the metric's key in the records, its legend label, its colour."""

    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class Panel:
    title: str
    series: tuple[Series, ...]
    limits: tuple[float, float] | None = None
    band: tuple[str, str] | None = None
    """Two metric keys drawn as a shaded range behind the lines (luma's p05-p95)."""


QUALITY = Panel("quality\n(0-100)", (Series("quality", "quality", "#1f7a8c"),), (0, 100))
METRIC_PANELS = (
    Panel("sharpness\n(ratio)", (Series("sharpness", "sharpness", "#d64826"),)),
    Panel("luma\n(0-255)", (Series("mean_luma", "mean", "#3b46b5"),), (0, 255), band=("p05", "p95")),
    Panel("noise\n(grey levels)", (Series("luma_noise", "luma", "#8a2f80"),
                                   Series("colour_noise", "colour", "#e08a1e"))),
)
MODEL_PANELS = (
    ("nima", "mean", "NIMA mean\n(1-10)", (1, 10), "#2a9d8f"),
    ("diqa", "score", "DIQA\n(0-1)", (0, 1), "#6a4c93"),
    ("brisque", "score", "BRISQUE\n(lower = better)", None, "#c4452d"),
)


def hex_colour(hint: str) -> str:
    """The hint's badge colour from its spec; grey for a name this version does not know."""
    try:
        r, g, b = HINT_SPECS[Hint(hint)].colour
    except ValueError:
        return NONE_COLOUR
    return f"#{r:02x}{g:02x}{b:02x}"


def hint_title(hint: str) -> str:
    try:
        return HINT_SPECS[Hint(hint)].title
    except ValueError:
        return hint


def hint_order(seen: Iterable[str]) -> list[str]:
    """Every known hint in its declared order, then any other names found in the records."""
    known = [h.value for h in Hint]
    return known + sorted(set(seen) - set(known))


def hint_spans(frames: Sequence[FrameRecord], hint: str) -> list[tuple[float, float]]:
    """(start, end) media times where the debounced ``hint`` was on; a span ends at the first frame
    without it, or one frame interval after the last frame."""
    spans, start = [], None
    for frame in frames:
        if hint in frame.hints and start is None:
            start = frame.t
        elif hint not in frame.hints and start is not None:
            spans.append((start, frame.t))
            start = None
    if start is not None:
        spans.append((start, frames[-1].t + frame_interval(frames)))
    return spans


def frame_interval(frames: Sequence[FrameRecord]) -> float:
    if len(frames) < 2:
        return 0.04
    return (frames[-1].t - frames[0].t) / (len(frames) - 1)


def to_svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element to put straight into HTML (no XML prologue)."""
    buffer = io.StringIO()
    with matplotlib.rc_context(SVG_STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def timeline_svg(run: ReplayRun, windows: Sequence[Window] = ()) -> str:
    """Quality, sharpness, luma and noise over time, the expected windows, then one band per hint."""
    with matplotlib.rc_context(SVG_STYLE):
        return to_svg(_timeline_figure(run, windows))


def _timeline_figure(run: ReplayRun, windows: Sequence[Window]) -> Figure:
    frames = run.frames
    hints = hint_order(h for f in frames for h in f.hints)
    panels = [QUALITY, *METRIC_PANELS]
    ratios = [2.2] + [1.4] * len(METRIC_PANELS) + ([0.5] if windows else []) + [0.42] * len(hints)
    fig = _figure(0.62 * sum(ratios), len(ratios), ratios)
    axes = fig.axes
    t_end = frames[-1].t + frame_interval(frames)
    for ax, panel in zip(axes, panels, strict=False):
        _metric_panel(ax, frames, panel)
        for window in windows:
            if window.hints:
                ax.axvspan(window.start, window.end, color=hex_colour(min(window.hints)), alpha=0.08, zorder=0, lw=0)
    rows = axes[len(panels):]
    if windows:
        _expect_row(rows[0], windows)
        rows = rows[1:]
    for ax, hint in zip(rows, hints, strict=True):
        _band_row(ax, frames, hint)
    axes[-1].set_xlim(0, t_end)
    axes[-1].set_xlabel("time in the clip (s)")
    return fig


def _figure(height_in: float, rows: int, ratios: Sequence[float] | None = None) -> Figure:
    """A figure of ``rows`` stacked panels sharing the time axis, with the fixed side margins."""
    height_in += 0.75
    fig = Figure(figsize=(FIG_WIDTH_IN, height_in))
    fig.subplots(rows, 1, sharex=True, squeeze=False, gridspec_kw={"height_ratios": ratios})
    fig.subplots_adjust(left=LEFT_IN / FIG_WIDTH_IN, right=1 - RIGHT_IN / FIG_WIDTH_IN,
                        top=1 - 0.12 / height_in, bottom=0.55 / height_in, hspace=0.25)
    return fig


def _metric_panel(ax: Axes, frames: Sequence[FrameRecord], panel: Panel) -> None:
    ax.set_ylabel(panel.title, rotation=0, ha="right", va="center", labelpad=8)
    ax.grid(True, color=GRID, lw=0.6)
    ax.tick_params(axis="x", length=0)
    if panel.band is not None:
        low, high = panel.band
        ts, lo, hi = thin_band(*_columns(frames, low, high))
        if ts:
            ax.fill_between(ts, lo, hi, color=panel.series[0].colour, alpha=0.13, lw=0, label="p05-p95")
    drawn = 0
    for series in panel.series:
        ts, values = thin(*_columns(frames, series.key))
        if ts:
            ax.plot(ts, values, color=series.colour, lw=1.3, label=series.label)
            drawn += 1
    if panel.limits is not None:
        ax.set_ylim(*panel.limits)
    if drawn == 0:
        ax.text(0.5, 0.5, "not in the records", transform=ax.transAxes, ha="center", va="center", color=NONE_COLOUR)
    elif drawn > 1 or panel.band is not None:
        ax.legend(loc="upper right", fontsize=8, ncols=3, frameon=True, framealpha=0.85, edgecolor="none")


def _columns(frames: Sequence[FrameRecord], *keys: str) -> tuple[list[float], ...]:
    """The times and values of the frames that have every one of ``keys`` (``quality`` included)."""
    ts: list[float] = []
    columns: list[list[float]] = [[] for _ in keys]
    for frame in frames:
        values = [frame.quality if key == "quality" else frame.metrics.get(key) for key in keys]
        if any(v is None for v in values):
            continue
        ts.append(frame.t)
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    return (ts, *columns)


def _expect_row(ax: Axes, windows: Sequence[Window]) -> None:
    for window in windows:
        colour = hex_colour(min(window.hints)) if window.hints else NONE_COLOUR
        ax.broken_barh([(window.start, window.end - window.start)], (0.1, 0.8),
                       facecolors=colour if window.hints else "white", alpha=0.35 if window.hints else 1.0)
        ax.broken_barh([(window.start, window.end - window.start)], (0.1, 0.8), facecolors="none",
                       edgecolor=colour, lw=0.8)
        ax.text((window.start + window.end) / 2, 0.5, window.expect, ha="center", va="center", fontsize=7.5,
                color=INK, clip_on=True)
    _row_style(ax, "expected")


def _band_row(ax: Axes, frames: Sequence[FrameRecord], hint: str) -> None:
    colour = hex_colour(hint)
    ax.broken_barh([(0, frames[-1].t + frame_interval(frames))], (0.15, 0.7), facecolors="#f4f5f7", lw=0)
    spans = hint_spans(frames, hint)
    if spans:
        ax.broken_barh([(a, b - a) for a, b in spans], (0.15, 0.7), facecolors=colour, lw=0)
    _row_style(ax, hint_title(hint))


def _row_style(ax: Axes, label: str) -> None:
    ax.set_ylim(0, 1)
    ax.set_yticks([0.5], [label])
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)


def has_model_scores(run: ReplayRun) -> bool:
    return any(m.values for f in run.frames for m in f.models.values())


def models_svg(run: ReplayRun) -> str:
    """Each model's score at the frame it was computed on (its ``seq``), one panel per model with scores."""
    with matplotlib.rc_context(SVG_STYLE):
        return to_svg(_models_figure(run))


def model_points(run: ReplayRun, model: str, key: str) -> tuple[list[float], list[float]]:
    """(times, values) of each distinct result of ``model``, at the time of the frame it ran on."""
    t_of = {f.frame: f.t for f in run.frames}
    seen: dict[int, tuple[float, float]] = {}
    for frame in run.frames:
        result = frame.models.get(model)
        if result is None or key not in result.values:
            continue
        seq = frame.frame if result.seq is None else result.seq
        seen.setdefault(seq, (t_of.get(seq, frame.t), result.values[key]))
    points = sorted(seen.values())
    return [p[0] for p in points], [p[1] for p in points]


def _models_figure(run: ReplayRun) -> Figure:
    panels = [(p, model_points(run, p[0], p[1])) for p in MODEL_PANELS]
    panels = [(p, pts) for p, pts in panels if pts[0]]
    fig = _figure(1.3 * len(panels), len(panels))
    axes = fig.axes
    for ax, ((_, _, title, limits, colour), (ts, values)) in zip(axes, panels, strict=True):
        ax.plot(*thin(ts, values), color=colour, lw=1.2, marker="o" if len(ts) <= MARKER_POINTS else None, ms=2.2)
        ax.set_ylabel(title, rotation=0, ha="right", va="center", labelpad=8)
        ax.grid(True, color=GRID, lw=0.6)
        if limits is not None:
            ax.set_ylim(*limits)
    frames = run.frames
    axes[-1].set_xlim(0, frames[-1].t + frame_interval(frames))
    axes[-1].set_xlabel("time in the clip (s)")
    return fig


def photos_svg(batch: PhotoBatch) -> str:
    """The batch at a glance: how quality is spread, and how many photos have each hint."""
    with matplotlib.rc_context(SVG_STYLE):
        return to_svg(_photos_figure(batch))


def _photos_figure(batch: PhotoBatch) -> Figure:
    scored = [p for p in batch.photos if p.error is None]
    fig = Figure(figsize=(11, 2.6), layout="constrained")
    quality_ax, hints_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    qualities = [p.quality for p in scored if p.quality is not None]
    quality_ax.hist(qualities, bins=20, range=(0, 100), color="#1f7a8c", edgecolor="white")
    quality_ax.set_xlim(0, 100)
    quality_ax.set_xlabel("quality (0-100)")
    quality_ax.set_ylabel("photos")
    quality_ax.grid(True, axis="y", color=GRID, lw=0.6)
    quality_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    names = hint_order(h for p in scored for h in p.hints)
    counts = [sum(name in p.hints for p in scored) for name in names] + [sum(not p.hints for p in scored)]
    labels = [hint_title(n) for n in names] + ["no hint"]
    colours = [hex_colour(n) for n in names] + ["#5aa469"]
    hints_ax.barh(labels[::-1], counts[::-1], color=colours[::-1])
    hints_ax.set_xlabel("photos")
    hints_ax.grid(True, axis="x", color=GRID, lw=0.6)
    hints_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    hints_ax.tick_params(axis="y", length=0)
    return fig
