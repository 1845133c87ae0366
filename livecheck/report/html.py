"""The report as one self-contained HTML page: inline CSS, inline SVG plots, data: URI pictures.

Nothing in the page refers to anything outside it (no scripts, fonts or images to fetch), so it
opens the same from a CI artefact, a mail attachment or a machine with no network.
"""
from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livecheck.expect.timeline import Window
from livecheck.imageio import ImageReadError, read_image
from livecheck.report import plots
from livecheck.report.records import FrameRecord, PhotoBatch, PhotoRecord, ReplayRun
from livecheck.report.thumbs import data_uri, jpeg_bytes, thumb_name

MAX_CHANGES_SHOWN = 60
"""Hint changes shown as cards; a flickering run could have thousands (the rest are counted)."""
MODEL_LABELS = (("nima", "mean", "NIMA", 2), ("diqa", "score", "DIQA", 3), ("brisque", "score", "BRISQUE", 1))

CSS = """
:root { --ink: #2b2f36; --muted: #6b7480; --line: #e3e6ea; --card: #fafbfc; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.sub { color: var(--muted); margin: 0 0 8px; }
.plot svg { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; font-size: 13px; }
td, th { padding: 3px 14px 3px 0; text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); }
th { font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.tables { display: flex; flex-wrap: wrap; gap: 16px 48px; align-items: flex-start; }
.badge { display: inline-block; padding: 1px 8px; margin: 1px 3px 1px 0; border-radius: 10px; color: #fff;
         font-size: 12px; white-space: nowrap; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 14px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.card img { width: 100%; height: 150px; object-fit: contain; background: #1d2025; display: block; }
.card .noimg { height: 150px; display: flex; align-items: center; justify-content: center;
               color: var(--muted); background: #eef0f2; font-size: 12px; }
.card .body { padding: 6px 9px 9px; font-size: 12.5px; }
.card .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.card .meta { color: var(--muted); }
.meter { height: 5px; background: var(--line); border-radius: 3px; margin: 4px 0 5px; }
.meter span { display: block; height: 100%; border-radius: 3px; background: #1f7a8c; }
.error { color: #b3261e; }
.note { color: var(--muted); font-size: 13px; }
"""
GOOD_COLOUR = "#5aa469"


@dataclass(frozen=True)
class HintChange:
    frame: FrameRecord
    came_on: frozenset[str]
    went_off: frozenset[str]


def hint_changes(frames: Sequence[FrameRecord]) -> list[HintChange]:
    """The first frame, and every frame whose debounced hints differ from the frame before
    (the same frames ``replay --thumbs`` writes pictures of)."""
    changes, before = [], None
    for frame in frames:
        if frame.hints != before:
            previous = before or frozenset()
            changes.append(HintChange(frame, frame.hints - previous, previous - frame.hints))
            before = frame.hints
    return changes


def replay_page(run: ReplayRun, title: str, windows: Sequence[Window] = (),
                thumbs: Path | None = None) -> str:
    """The report of one replay: timeline, hint changes, summary, model scores, events."""
    frames = run.frames
    duration = frames[-1].t + plots.frame_interval(frames)
    parts = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{len(frames)} analysed frames over {duration:.1f} s'
        + (f", {len(windows)} expected windows" if windows else "") + "</p>",
        "<h2>Timeline</h2>",
        '<p class="note">Debounced hints (what a user is shown) in the bands at the bottom'
        + ("; the expected windows shaded above them and behind the curves" if windows else "") + ".</p>",
        f'<div class="plot" id="timeline">{plots.timeline_svg(run, windows)}</div>',
        _changes_section(hint_changes(frames), thumbs),
        _summary_section(run),
    ]
    if plots.has_model_scores(run):
        parts += ["<h2>Model scores over time</h2>",
                  '<p class="note">Each point is a model\'s result on the frame it was computed on; '
                  'higher is better for NIMA and DIQA, lower for BRISQUE.</p>',
                  f'<div class="plot" id="models">{plots.models_svg(run)}</div>']
    parts.append(_model_notes(frames))
    if run.events:
        parts.append(_events_section(run))
    return _page(title, parts)


def photos_page(batch: PhotoBatch, title: str, base_dir: Path | None = None) -> str:
    """The report of a batch of scored photos: an overview plot, then every photo, best first."""
    photos = batch.photos
    failed = sum(p.error is not None for p in photos)
    order = sorted(photos, key=lambda p: (p.error is not None, -(p.quality if p.quality is not None else -1.0)))
    parts = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">{len(photos)} photos' + (f", {failed} unreadable" if failed else "")
        + ", sorted by quality, best first</p>",
        f'<div class="plot" id="overview">{plots.photos_svg(batch)}</div>',
        "<h2>Photos</h2>",
        '<div class="grid">' + "".join(_photo_card(p, base_dir) for p in order) + "</div>",
    ]
    return _page(title, parts)


def _page(title: str, parts: Iterable[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{_e(title)}</title>"
            f"<style>{CSS}</style></head><body><main>\n" + "\n".join(parts) + "\n</main></body></html>\n")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _badges(hints: Iterable[str]) -> str:
    on = frozenset(hints)
    shown = [n for n in plots.hint_order(on) if n in on]
    if not shown:
        return f'<span class="badge" style="background:{GOOD_COLOUR}">Looks good</span>'
    return "".join(f'<span class="badge" style="background:{plots.hex_colour(n)}">{_e(plots.hint_title(n))}</span>'
                   for n in shown)


def _thumb(path: Path) -> str | None:
    try:
        return data_uri(path.read_bytes())
    except OSError:
        return None


def _changes_section(changes: Sequence[HintChange], thumbs: Path | None) -> str:
    cards = []
    for change in changes[:MAX_CHANGES_SHOWN]:
        frame = change.frame
        uri = _thumb(thumbs / thumb_name(frame.frame)) if thumbs is not None else None
        picture = (f'<img src="{uri}" alt="frame {frame.frame}">' if uri
                   else '<div class="noimg">no thumbnail</div>')
        what = " ".join([f"+{_e(plots.hint_title(h))}" for h in sorted(change.came_on)]
                        + [f"&minus;{_e(plots.hint_title(h))}" for h in sorted(change.went_off)])
        cards.append(f'<div class="card">{picture}<div class="body"><div class="name">{frame.t:.2f} s'
                     f' &middot; frame {frame.frame}</div><div>{_badges(frame.hints)}</div>'
                     f'<div class="meta">{what or "start"}</div></div></div>')
    note = ""
    if len(changes) > MAX_CHANGES_SHOWN:
        note = f'<p class="note">{len(changes) - MAX_CHANGES_SHOWN} more changes not shown.</p>'
    if thumbs is None:
        note += ('<p class="note">Pictures: run <code>livecheck replay CLIP --thumbs DIR</code> and give the '
                 'report <code>--thumbs DIR</code>.</p>')
    return ("<h2>Where the hints changed</h2>" + note
            + '<div class="grid">' + "".join(cards) + "</div>")


def _summary_section(run: ReplayRun) -> str:
    if run.summary is None:
        return '<h2>Summary</h2><p class="note">No summary line (the replay was cut short).</p>'
    summary = dict(run.summary)
    stages = summary.pop("stages_ms", None)
    episodes = summary.pop("hint_episodes", {}) or {}
    seconds = summary.pop("hint_seconds", {}) or {}
    frames = run.frames
    duration = frames[-1].t + plots.frame_interval(frames)
    rows = "".join(f"<tr><th>{_e(k.replace('_', ' '))}</th><td>{_cell(v)}</td></tr>" for k, v in summary.items())
    hint_rows = "".join(
        f"<tr><td>{_badges([h])}</td><td class=\"num\">{episodes.get(h, 0)}</td>"
        f"<td class=\"num\">{seconds.get(h, 0.0):.2f}</td>"
        f"<td class=\"num\">{100 * seconds.get(h, 0.0) / duration:.0f}%</td></tr>"
        for h in plots.hint_order(list(episodes) + list(seconds)))
    tables = [f"<table>{rows}</table>",
              "<table><tr><th>hint</th><th>times on</th><th>seconds on</th><th>of the clip</th></tr>"
              f"{hint_rows}</table>"]
    if isinstance(stages, Mapping) and stages:
        stage_rows = "".join(
            f"<tr><td>{_e(name)}</td>"
            + "".join(f'<td class="num">{_e(s.get(k, ""))}</td>' for k in ("p50", "p99", "max", "n")) + "</tr>"
            for name, s in stages.items() if isinstance(s, Mapping))
        tables.append("<table><tr><th>stage (ms)</th><th>p50</th><th>p99</th><th>max</th><th>n</th></tr>"
                      f"{stage_rows}</table>")
    return '<h2>Summary</h2><div class="tables">' + "".join(tables) + "</div>"


def _cell(value: Any) -> str:
    if isinstance(value, Mapping):
        return _e(", ".join(f"{k} {v}" for k, v in value.items()) or "none")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _e(value)


def _model_notes(frames: Sequence[FrameRecord]) -> str:
    unavailable: dict[str, str] = {}
    errors: dict[str, int] = {}
    for frame in frames:
        for name, result in frame.models.items():
            if result.unavailable is not None:
                unavailable.setdefault(name, result.unavailable)
            if result.error is not None and result.seq is not None:
                errors[name] = errors.get(name, 0) + 1
    notes = [f"{_e(n)}: unavailable ({_e(why)})" for n, why in unavailable.items()]
    notes += [f"{_e(n)}: failed results on {count} frames, left out of the plot" for n, count in errors.items()]
    return "".join(f'<p class="note">{n}</p>' for n in notes)


def _events_section(run: ReplayRun) -> str:
    rows = "".join(f"<tr><td class=\"num\">{'' if ev.t is None else f'{ev.t:.2f}'}</td><td>{_e(ev.kind)}</td>"
                   f"<td>{_e(ev.message)}</td></tr>" for ev in run.events)
    return ("<h2>Source events</h2><table><tr><th>after (s)</th><th>event</th><th>message</th></tr>"
            f"{rows}</table>")


def _photo_picture(photo: PhotoRecord, base_dir: Path | None) -> str | None:
    """A small JPEG of the photo as a data: URI, read from its path as recorded (relative paths:
    from the working directory, then from ``base_dir``); None when it cannot be read now."""
    candidates = [Path(photo.path)]
    if base_dir is not None and not candidates[0].is_absolute():
        candidates.append(base_dir / photo.path)
    for path in candidates:
        try:
            return data_uri(jpeg_bytes(read_image(path)))
        except ImageReadError:
            continue
    return None


def _photo_card(photo: PhotoRecord, base_dir: Path | None) -> str:
    uri = _photo_picture(photo, base_dir)
    picture = f'<img src="{uri}" alt="{_e(photo.path)}">' if uri else '<div class="noimg">not readable here</div>'
    name = f'<div class="name" title="{_e(photo.path)}">{_e(Path(photo.path).name)}</div>'
    if photo.error is not None:
        body = f'{name}<div class="error">{_e(photo.error)}</div>'
    else:
        quality = photo.quality if photo.quality is not None else 0.0
        size = f"{photo.width}&times;{photo.height}" if photo.width and photo.height else ""
        scores = [f"{label} {photo.models[n].values[k]:.{digits}f}" for n, k, label, digits in MODEL_LABELS
                  if n in photo.models and k in photo.models[n].values]
        failed = [n for n, m in photo.models.items() if m.error is not None]
        body = (f'{name}<div class="meter"><span style="width:{quality:.0f}%"></span></div>'
                f'<div><b>{_e(photo.quality if photo.quality is not None else "-")}</b>'
                f' <span class="meta">quality &middot; {size}</span></div>'
                f"<div>{_badges(photo.hints)}</div>"
                f'<div class="meta">{" &middot; ".join(scores)}</div>'
                + (f'<div class="error">failed: {_e(", ".join(failed))}</div>' if failed else ""))
    return f'<div class="card">{picture}<div class="body">{body}</div></div>'
