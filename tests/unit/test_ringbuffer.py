"""Ring buffer semantics: newest wins with counted drops, blocking loses nothing, close wakes all."""
from __future__ import annotations

import threading
import time

import pytest

from livecheck.ringbuffer import Overflow, RingBuffer


def test_drop_oldest_keeps_the_newest_and_counts_every_drop() -> None:
    buf: RingBuffer[int] = RingBuffer(3, Overflow.DROP_OLDEST)
    for i in range(10):
        assert buf.put(i)
    assert buf.dropped == 7
    assert buf.put_count == 10
    assert [buf.get(0) for _ in range(3)] == [7, 8, 9]
    assert buf.get(0) is None
    assert buf.get_count == 3


def test_drop_oldest_put_never_waits() -> None:
    buf: RingBuffer[int] = RingBuffer(1, Overflow.DROP_OLDEST)
    start = time.monotonic()
    for i in range(1000):
        buf.put(i)
    assert time.monotonic() - start < 0.5
    assert buf.get(0) == 999


def test_block_mode_loses_nothing_across_threads() -> None:
    buf: RingBuffer[int] = RingBuffer(2, Overflow.BLOCK)
    n = 2000

    def produce() -> None:
        for i in range(n):
            assert buf.put(i)
        buf.close()

    producer = threading.Thread(target=produce)
    producer.start()
    received = []
    while (item := buf.get(timeout=5)) is not None:
        received.append(item)
    producer.join(timeout=5)
    assert received == list(range(n))
    assert buf.dropped == 0
    assert buf.drained


def test_block_put_times_out_when_full() -> None:
    buf: RingBuffer[int] = RingBuffer(1, Overflow.BLOCK)
    assert buf.put(1)
    start = time.monotonic()
    assert not buf.put(2, timeout=0.05)
    assert 0.04 <= time.monotonic() - start < 1
    assert len(buf) == 1 and buf.dropped == 0


def test_close_wakes_a_blocked_producer() -> None:
    buf: RingBuffer[int] = RingBuffer(1, Overflow.BLOCK)
    buf.put(0)
    results: list[bool] = []
    producer = threading.Thread(target=lambda: results.append(buf.put(1)))
    producer.start()
    time.sleep(0.05)
    assert producer.is_alive()
    buf.close()
    producer.join(timeout=1)
    assert not producer.is_alive()
    assert results == [False]


def test_close_wakes_waiting_consumers_after_the_rest_is_drained() -> None:
    buf: RingBuffer[int] = RingBuffer(4, Overflow.DROP_OLDEST)
    got: list[int | None] = []
    consumers = [threading.Thread(target=lambda: got.append(buf.get(timeout=10))) for _ in range(3)]
    for thread in consumers:
        thread.start()
    time.sleep(0.05)
    buf.put(42)
    buf.close()
    for thread in consumers:
        thread.join(timeout=1)
        assert not thread.is_alive()
    assert sorted(got, key=lambda v: -1 if v is None else v) == [None, None, 42]
    assert not buf.put(43), "a closed buffer refuses new items"
    assert buf.drained


def test_get_returns_none_on_timeout() -> None:
    buf: RingBuffer[int] = RingBuffer(1, Overflow.DROP_OLDEST)
    start = time.monotonic()
    assert buf.get(timeout=0.05) is None
    assert 0.04 <= time.monotonic() - start < 1


def test_clear_counts_what_it_throws_away() -> None:
    buf: RingBuffer[int] = RingBuffer(4, Overflow.BLOCK)
    for i in range(3):
        buf.put(i)
    assert buf.clear() == 3
    assert buf.dropped == 3 and len(buf) == 0


def test_many_producers_and_consumers_account_for_every_item() -> None:
    buf: RingBuffer[int] = RingBuffer(8, Overflow.DROP_OLDEST)
    per_producer, producers_n = 3000, 4
    received: list[int] = []
    lock = threading.Lock()

    def consume() -> None:
        while (item := buf.get(timeout=5)) is not None:
            with lock:
                received.append(item)

    consumers = [threading.Thread(target=consume) for _ in range(3)]
    producers = [threading.Thread(target=lambda k=k: [buf.put(k * per_producer + i) for i in range(per_producer)])
                 for k in range(producers_n)]
    for thread in consumers + producers:
        thread.start()
    for thread in producers:
        thread.join()
    buf.close()
    for thread in consumers:
        thread.join(timeout=5)
    assert len(received) == len(set(received))
    assert len(received) + buf.dropped == per_producer * producers_n


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RingBuffer(0, Overflow.BLOCK)
