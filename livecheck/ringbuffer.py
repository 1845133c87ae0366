"""A bounded, thread-safe hand-over between one producer (a capture thread) and its consumers.

Two policies for a full buffer, chosen by what the source is:

* ``Overflow.DROP_OLDEST`` — live sources (a camera, a stream, a paced clip). The producer never
  waits; the oldest queued item is thrown away so the consumer always sees the newest picture.
  Every drop is counted (``dropped``), never silent.
* ``Overflow.BLOCK`` — unpaced replay. The producer waits for room, so no item is ever lost and a
  replay is deterministic.

``close()`` ends the hand-over: producers stop waiting (``put`` returns False), consumers take
what is left and then get ``None`` straight away.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from enum import Enum
from typing import Generic, TypeVar

T = TypeVar("T")


class Overflow(Enum):
    """What ``put`` does when the buffer is full."""

    DROP_OLDEST = "drop_oldest"
    BLOCK = "block"


class RingBuffer(Generic[T]):
    """Bounded FIFO guarded by one ``threading.Condition``."""

    def __init__(self, capacity: int, overflow: Overflow) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self.overflow = overflow
        self._items: deque[T] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self._put_count = 0
        self._get_count = 0
        self._dropped = 0

    def put(self, item: T, timeout: float | None = None) -> bool:
        """Queue ``item``; True if it was queued.

        False when the buffer is closed (before or while waiting), or when a BLOCK put found no
        room within ``timeout`` seconds (``None``: wait as long as it takes).
        """
        with self._cond:
            if self.overflow is Overflow.BLOCK:
                has_room = self._cond.wait_for(
                    lambda: self._closed or len(self._items) < self.capacity, timeout)
                if not has_room:
                    return False
            if self._closed:
                return False
            if len(self._items) >= self.capacity:  # only reachable with DROP_OLDEST
                self._items.popleft()
                self._dropped += 1
            self._items.append(item)
            self._put_count += 1
            self._cond.notify_all()
            return True

    def get(self, timeout: float | None = None) -> T | None:
        """Oldest queued item; None when nothing came within ``timeout`` or when closed and empty."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._items:
                if self._closed:
                    return None
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining)
            item = self._items.popleft()
            self._get_count += 1
            self._cond.notify_all()
            return item

    def close(self) -> None:
        """No more items will come: wake every waiting producer and consumer (idempotent)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def clear(self) -> int:
        """Throw away everything queued (counted as dropped); returns how many."""
        with self._cond:
            count = len(self._items)
            self._items.clear()
            self._dropped += count
            self._cond.notify_all()
            return count

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed

    @property
    def drained(self) -> bool:
        """Closed and empty: consumers will only ever get None from now on."""
        with self._cond:
            return self._closed and not self._items

    @property
    def dropped(self) -> int:
        with self._cond:
            return self._dropped

    @property
    def put_count(self) -> int:
        with self._cond:
            return self._put_count

    @property
    def get_count(self) -> int:
        with self._cond:
            return self._get_count

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)
