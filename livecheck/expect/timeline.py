"""Expected-hint timelines: a CSV of windows ``start,end,expect`` in seconds of the clip.

    start,end,expect
    0,4,none
    4,7,blurry
    10,13,too_dark+noisy

``expect`` is one hint name, several joined by ``+`` (all of them must show), or ``none`` (no core
hint may show). Blank lines and lines starting with ``#`` are skipped. A file that breaks any rule
below raises :class:`TimelineError`, whose message names the file and line: a missing or
different header, a line without exactly three fields, a time that is not a finite number >= 0,
an end not after its start, an unknown or repeated hint name, ``none`` mixed with hints, a window
that starts before the previous one ends (windows are listed in time order and may touch, not
overlap), a window no longer than the grace period (nothing of it would be judged), and a file
with no window at all. Stretches between windows are not judged.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from livecheck.hint import Hint, parse_hint

HEADER = ("start", "end", "expect")
NONE = "none"


class TimelineError(ValueError):
    """A malformed timeline; the message is one line, ``FILE:LINE: what is wrong``."""


@dataclass(frozen=True, slots=True)
class Window:
    """One expectation: from ``start`` to ``end`` (seconds of the clip) every hint in ``hints`` shows.

    Other hints may show beside them. An empty ``hints`` is a ``none`` window: no core hint may show.
    """

    start: float
    end: float
    hints: frozenset[Hint]
    line: int
    """Where it was written in the timeline file (1-based), for messages."""
    expect: str
    """The expectation as the timeline wrote it, in its order (lower case): ``noisy+too_dark``."""

    @property
    def name(self) -> str:
        """``start-end expect``: the window's test name (JUnit testcase, report lines)."""
        return f"{self.start:g}-{self.end:g} {self.expect}"


def parse_timeline(text: str, *, grace: float, source: str = "timeline") -> tuple[Window, ...]:
    """The windows of a timeline's text; ``source`` names the file in error messages."""
    windows: list[Window] = []
    header_seen = False
    for line_no, fields in _rows(text):
        where = f"{source}:{line_no}"
        if not header_seen:
            if tuple(f.strip().lower() for f in fields) != HEADER:
                raise TimelineError(f"{where}: the first line must be the header start,end,expect, "
                                    f"not {','.join(fields)!r}")
            header_seen = True
            continue
        if len(fields) != len(HEADER):
            raise TimelineError(f"{where}: expected 3 fields start,end,expect, got {len(fields)}")
        start, end = _seconds(fields[0], "start", where), _seconds(fields[1], "end", where)
        if end <= start:
            raise TimelineError(f"{where}: end {end:g} is not after start {start:g}")
        if end - start <= grace:
            raise TimelineError(f"{where}: window {start:g}-{end:g} is not longer than the grace "
                                f"period ({grace:g} s), so nothing of it would be judged")
        if windows and start < windows[-1].end:
            before = windows[-1]
            raise TimelineError(f"{where}: window {start:g}-{end:g} starts before the window on line "
                                f"{before.line} ({before.start:g}-{before.end:g}) ends; windows must "
                                "be in time order and must not overlap")
        hints = _hints(fields[2], where)
        expect = "+".join(h.value for h in hints) or NONE
        windows.append(Window(start, end, frozenset(hints), line_no, expect))
    if not header_seen:
        raise TimelineError(f"{source}:1: empty timeline: no header start,end,expect")
    if not windows:
        raise TimelineError(f"{source}: no window after the header")
    return tuple(windows)


def load_timeline(path: Path, *, grace: float) -> tuple[Window, ...]:
    """:func:`parse_timeline` on a file (a BOM, as spreadsheets write, is skipped)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TimelineError(f"{path}: not a UTF-8 text file ({exc.reason})") from None
    return parse_timeline(text, grace=grace, source=str(path))


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, fields) of each line that is neither blank nor a ``#`` comment."""
    rows = []
    reader = csv.reader(io.StringIO(text))
    for fields in reader:
        if not fields or not "".join(fields).strip() or fields[0].lstrip().startswith("#"):
            continue
        rows.append((reader.line_num, fields))
    return rows


def _seconds(text: str, what: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise TimelineError(f"{where}: {what} must be a number of seconds >= 0, not {text.strip()!r}")
    return value


def _hints(text: str, where: str) -> list[Hint]:
    """The hints named, in their order; none for ``none``."""
    names = [n.strip().lower() for n in text.split("+")]
    if names == [NONE]:
        return []
    hints: list[Hint] = []
    for name in names:
        if name == NONE:
            raise TimelineError(f"{where}: 'none' cannot be combined with hints in {text.strip()!r}")
        try:
            hint = parse_hint(name)
        except ValueError as exc:
            raise TimelineError(f"{where}: {exc}") from None
        if hint in hints:
            raise TimelineError(f"{where}: {hint.value} is named twice in {text.strip()!r}")
        hints.append(hint)
    return hints
