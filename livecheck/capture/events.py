"""What a capture tells the outside world: events, errors, retry rules and counters."""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum


class SourceError(Exception):
    """A source that cannot be opened at all; ``str()`` is a one-line message for the user."""


class SourceEventKind(Enum):
    """What happened. A capture that runs to its end sends exactly one terminal event, ENDED or
    ERROR, as its last; one ended by ``stop()`` sends none."""

    OPENED = "opened"
    LOST = "lost"
    """A camera or stream stopped giving frames; the capture is retrying."""
    RECONNECTED = "reconnected"
    WARNING = "warning"
    """Something was skipped (a corrupt frame, an unreadable image) and the capture goes on."""
    ENDED = "ended"
    """Terminal: the source ran out (end of a clip or folder)."""
    ERROR = "error"
    """Terminal: the capture gave up (a source lost for longer than ``RetryPolicy.max_wait``)."""
    RESTARTING = "restarting"
    """Not from a capture: a session (``restart_after_s``, kiosks) will open the source again."""


@dataclass(frozen=True, slots=True)
class SourceEvent:
    kind: SourceEventKind
    message: str
    t: float
    """``time.monotonic()`` when it happened."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a lost camera or stream is reopened: exponential backoff, then maybe give up.

    With the defaults a source that comes back is picked up within ``max_delay`` plus the time to
    open it (about 1 s), and a source gone for 30 s ends the capture with an ERROR event.
    """

    initial_delay: float = 0.1
    max_delay: float = 1.0
    max_wait: float | None = 30.0
    """Seconds without the source before giving up; None retries forever (kiosks)."""

    def __post_init__(self) -> None:
        if not 0 < self.initial_delay <= self.max_delay:
            raise ValueError("RetryPolicy needs 0 < initial_delay <= max_delay")
        if self.max_wait is not None and self.max_wait < 0:
            raise ValueError("RetryPolicy.max_wait must be >= 0 or None")

    def delays(self) -> Iterator[float]:
        """initial_delay, doubling, capped at max_delay, forever."""
        for attempt in itertools.count():
            yield min(self.max_delay, self.initial_delay * 2.0 ** min(attempt, 64))


@dataclass(frozen=True, slots=True)
class CaptureStats:
    """A snapshot of a capture's counters."""

    captured: int
    """Frames put into the ring buffer (``seq`` of the next frame)."""
    dropped: int
    """Frames the consumer never got: overwritten in a full live buffer, or left in it at stop()."""
    corrupt_skipped: int
    """Undecodable video frames and unreadable images that were skipped."""
    losses: int
    reconnects: int
    fps: float
    """Measured rate of captured frames (first to latest), 0.0 before two frames."""
