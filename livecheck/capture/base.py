"""The contract between one kind of source and the capture thread that drives it."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import Enum

import numpy as np


class ReadStatus(Enum):
    FRAME = "frame"
    LOST = "lost"
    """A live source stopped giving frames; the capture thread closes it and reopens it."""
    END = "end"


@dataclass(frozen=True, slots=True)
class Read:
    """The outcome of one ``Source.read()``."""

    status: ReadStatus
    image: np.ndarray | None = None
    """BGR uint8, contiguous (FRAME only)."""
    index: int | None = None
    """Position of the frame in a clip or folder (its time slot); None for live sources."""
    skipped: int = 0
    """Corrupt frames or unreadable files passed over just before this outcome."""
    warnings: tuple[str, ...] = ()
    """One line per skipped item, for SourceEvent WARNING."""
    message: str = ""
    """Why a source was LOST or how it ENDED."""


class Source(ABC):
    """One kind of source. Used by one thread at a time: opened by ``Capture.start()``, then
    read, closed and maybe reopened by the capture thread."""

    live: bool
    """True for cameras and streams: they run in real time and are reopened when lost."""

    @property
    @abstractmethod
    def description(self) -> str:
        """What the user should read, e.g. ``video demo.mp4 (640x360 @ 25 fps, 250 frames)``."""

    @property
    def nominal_fps(self) -> float | None:
        """The source's own frame rate, when it can be trusted."""
        return None

    @property
    def media_fps(self) -> float | None:
        """For clips and folders: frames per second of media time (``t_media = index / media_fps``)."""
        return None

    @abstractmethod
    def open(self) -> None:
        """Open (or reopen) the source; raise SourceError with a one-line reason."""

    @abstractmethod
    def read(self) -> Read:
        """Block until the next frame, loss or end."""

    @abstractmethod
    def close(self) -> None:
        """Release the device or file (idempotent)."""
