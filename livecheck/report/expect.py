"""The expected-hint windows a report draws (``--expect TIMELINE.csv``, header ``start,end,expect``).

Only what drawing needs: each window's times and the hint names it expects (``none`` = no hint).
Checking a run against a timeline is not done here; :func:`read_windows` is the one entry point,
so a fuller timeline parser can stand in for it.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from livecheck.hint import parse_hint

HEADER = ("start", "end", "expect")


@dataclass(frozen=True)
class ExpectWindow:
    start: float
    end: float
    hints: frozenset[str]
    """Hint names expected on in the window; empty for ``none``."""

    @property
    def label(self) -> str:
        return "+".join(sorted(self.hints)) or "none"


def read_windows(path: Path) -> list[ExpectWindow]:
    """Raises ValueError (one line, with the line number) on a malformed timeline."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header is None or tuple(h.strip().lower() for h in header) != HEADER:
            raise ValueError(f"{path}:1: the header must be {','.join(HEADER)}, not {','.join(header or [])!r}")
        windows = []
        for row in rows:
            if not row or not "".join(row).strip():
                continue
            windows.append(_window(row, f"{path}:{rows.line_num}"))
    return windows


def _window(row: list[str], where: str) -> ExpectWindow:
    if len(row) != len(HEADER):
        raise ValueError(f"{where}: {len(row)} fields, expected {len(HEADER)} (start,end,expect)")
    try:
        start, end = float(row[0]), float(row[1])
    except ValueError:
        raise ValueError(f"{where}: start and end must be seconds, not {row[0]!r}, {row[1]!r}") from None
    if not 0 <= start < end:
        raise ValueError(f"{where}: the window {start}-{end} s is empty or negative")
    names = row[2].strip().lower()
    if names == "none":
        return ExpectWindow(start, end, frozenset())
    try:
        hints = frozenset(parse_hint(name).value for name in names.split("+"))
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    return ExpectWindow(start, end, hints)
