"""A one-line progress bar on stderr, shown only for long batches on a terminal."""
from __future__ import annotations

import time
from typing import TextIO

MIN_ITEMS = 20
"""Batches shorter than this finish before a bar would be worth drawing."""


class Progress:
    def __init__(self, total: int, out: TextIO, width: int = 30) -> None:
        self._total = total
        self._out = out
        self._width = width
        self._done = 0
        self._last_draw = 0.0
        self._enabled = total >= MIN_ITEMS and out.isatty()

    def step(self) -> None:
        self._done += 1
        now = time.monotonic()
        if self._enabled and (now - self._last_draw > 0.1 or self._done == self._total):
            self._last_draw = now
            filled = self._width * self._done // self._total
            bar = "#" * filled + "." * (self._width - filled)
            self._out.write(f"\r[{bar}] {self._done}/{self._total}")
            self._out.flush()

    def close(self) -> None:
        if self._enabled:
            self._out.write("\r" + " " * (self._width + 24) + "\r")
            self._out.flush()
