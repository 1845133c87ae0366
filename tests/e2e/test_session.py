"""The session: one ordered stream of results and events, with looping, restarts and stop."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from livecheck.capture import SourceError, SourceEvent, SourceEventKind
from livecheck.pipeline import PipelineConfig
from livecheck.result import FrameResult
from livecheck.session import Session, SessionOptions

FAST = PipelineConfig(models=())


def _drain(session: Session, limit_s: float = 20.0) -> list[FrameResult | SourceEvent]:
    items: list[FrameResult | SourceEvent] = []
    deadline = time.monotonic() + limit_s
    while not session.ended and time.monotonic() < deadline:
        if (item := session.next(timeout=0.1)) is not None:
            items.append(item)
    return items


def _kinds(items: list[FrameResult | SourceEvent]) -> list[str]:
    return [i.kind.value if isinstance(i, SourceEvent) else "frame" for i in items]


def test_a_clip_is_one_ordered_stream_from_opened_to_ended(make_clip: Callable[..., Path]) -> None:
    with Session(SessionOptions(make_clip(12), FAST, pace=False)) as session:
        items = list(session)
    kinds = _kinds(items)
    assert kinds == ["opened"] + ["frame"] * 12 + ["ended"]
    assert [i.seq for i in items if isinstance(i, FrameResult)] == list(range(12))
    assert session.ended and session.source_error is None
    assert session.stats is not None and session.stats.analysed == 12


def test_a_looping_clip_starts_again_until_stopped(make_clip: Callable[..., Path]) -> None:
    session = Session(SessionOptions(make_clip(5), FAST, pace=False, loop=True))
    session.start()
    items: list[FrameResult | SourceEvent] = []
    while sum(isinstance(i, FrameResult) for i in items) < 17:
        if (item := session.next(timeout=5.0)) is not None:
            items.append(item)
    session.stop()
    items += _drain(session)
    assert _kinds(items)[:15] == ["opened"] + ["frame"] * 5 + ["ended", "opened"] + ["frame"] * 5 + ["ended", "opened"]
    assert session.ended and session.stats is not None and session.stats.analysed >= 17


def test_without_restarts_a_missing_source_raises_and_with_them_it_is_retried(tmp_path: Path,
                                                                            make_clip: Callable[..., Path]) -> None:
    missing = tmp_path / "later.avi"
    with pytest.raises(SourceError, match="no such file"):
        Session(SessionOptions(missing, FAST)).start()

    session = Session(SessionOptions(missing, FAST, pace=False, restart_after_s=0.2))
    session.start()  # no raise: the failure is an event, and the session tries again
    first = session.next(timeout=1.0)
    assert isinstance(first, SourceEvent) and first.kind is SourceEventKind.RESTARTING
    assert "restarting in 0.2 s" in first.message and "no such file" in first.message
    make_clip(4).rename(missing)  # the source appears
    items = []
    deadline = time.monotonic() + 10
    while sum(isinstance(i, FrameResult) for i in items) < 4 and time.monotonic() < deadline:
        if (item := session.next(timeout=0.5)) is not None:
            items.append(item)
    session.stop()
    _drain(session)
    assert sum(isinstance(i, FrameResult) for i in items) >= 4


def test_stop_from_another_thread_ends_a_paced_run_promptly(make_clip: Callable[..., Path]) -> None:
    session = Session(SessionOptions(make_clip(500, fps=25.0), FAST, pace=True))
    session.start()
    threading.Timer(0.5, session.stop).start()
    started = time.monotonic()
    items = _drain(session)
    assert time.monotonic() - started < 3.0
    assert session.ended and 0 < sum(isinstance(i, FrameResult) for i in items) < 500
    assert not [t for t in threading.enumerate() if t.name.startswith("livecheck-")]
