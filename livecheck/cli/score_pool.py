"""`livecheck score --jobs N`: a batch shared among N worker processes, records still in input order.

Decoding a 12-MP JPEG and checking it is long single-threaded work, so a
batch scales with processes, not threads. Each worker loads the models once and scores one file
at a time; it is never handed more than ``PER_WORKER`` paths ahead (images are decoded in the
worker and never queued), so memory stays flat for any number of files, and the parent keeps at
most ``jobs x AHEAD_PER_WORKER`` records waiting for an earlier one. A worker that dies (a native crash
in a decoder or a model) costs the file it was on, which gets an error record; its queued files go
to a fresh worker. On a stop request no new file is started, the files handed out are finished
(for at most ``STOP_GRACE_S``), and every finished record is handed out, in input order.

Each worker talks to the parent over its own pipe (``multiprocessing.Pipe``), not over queues: a
queue carries named POSIX semaphores, which the resource tracker must see unregistered before the
last process exits, and a worker ended mid-exit could leave it warning on stderr.
"""
from __future__ import annotations

import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from livecheck.cli.scorer import Scorer
from livecheck.cli.stopping import StopRequest
from livecheck.imageio import ImageReadError
from livecheck.pipeline import PipelineConfig
from livecheck.result import error_record

PER_WORKER = 2
"""Paths handed to a worker ahead of its results: one being scored, one ready to start."""
AHEAD_PER_WORKER = 2 * PER_WORKER
"""How far, per worker, the batch may run past the oldest file not yet yielded: bounds the
records kept back for input order when one file takes much longer than the others."""
STOP_GRACE_S = 0.6
"""How long a stop waits for the files being scored (the CLI promises an exit within a second)."""
_POLL_S = 0.05


def _context() -> multiprocessing.context.BaseContext:
    """Fork server where there is one (Linux, macOS), else spawn: never a plain fork.

    A fork of the caller would copy the locks of its other threads (OpenCV's pool once any OpenCV
    function ran, MediaPipe's, a test runner's) and a worker could wait on one forever. The fork
    server is a fresh process that imports OpenCV and NumPy once and forks each worker from there.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["livecheck.cli.scorer"])
        return ctx
    return multiprocessing.get_context("spawn")


def _work(config: PipelineConfig, full_resolution: bool, conn: Connection) -> None:
    """A worker's life: load the models, then score the paths that come over ``conn`` until told to stop.

    Ctrl-C reaches the whole process group; only the parent decides what a stop means, so the
    worker ignores SIGINT and dies on SIGTERM (the parent's last resort).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    import cv2

    cv2.setNumThreads(1)  # as many workers as cores already: OpenCV's own threads would only contend
    scorer = Scorer.load(config, full_resolution=full_resolution)
    try:
        conn.send(("ready", scorer.unavailable))
        while (task := conn.recv()) is not None:
            index, path = task
            try:
                record = scorer.score_entry(Path(path))
            except Exception as exc:
                record = error_record(path, f"cannot score: {type(exc).__name__}: {exc}".splitlines()[0])
            conn.send(("done", index, record))
    except (EOFError, OSError):
        pass  # the parent is gone or closed our pipe: nobody is left to answer
    finally:
        scorer.close()
        conn.close()


@dataclass
class _Worker:
    process: Any
    conn: Connection
    outstanding: deque[tuple[int, str]] = field(default_factory=deque)
    ready: bool = False


class ScorePool:
    """``score_all(entries)`` yields the same records as the in-process path, in input order."""

    def __init__(self, jobs: int, config: PipelineConfig, stop: StopRequest, *, full_resolution: bool = False,
                 on_unavailable: Callable[[dict[str, str]], None] | None = None) -> None:
        self._ctx = _context()
        self._config = config
        self._stop = stop
        self._full_resolution = full_resolution
        self._on_unavailable = on_unavailable
        self._workers: dict[int, _Worker] = {}
        self._next_id = 0
        self._announced = False
        self._done: dict[int, dict[str, Any]] = {}
        self._ahead = jobs * AHEAD_PER_WORKER
        self.peak_ahead = 0
        """The most files ever handed out or finished but not yet yielded (at most jobs x AHEAD_PER_WORKER)."""
        for _ in range(jobs):
            self._spawn()

    def _spawn(self) -> _Worker:
        worker_id, self._next_id = self._next_id, self._next_id + 1
        ours, theirs = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_work, name=f"livecheck-score-{worker_id}", daemon=True,
            args=(self._config, self._full_resolution, theirs))
        process.start()
        theirs.close()  # the worker's end lives in the worker: its death reads as EOF here
        worker = self._workers[worker_id] = _Worker(process, ours)
        return worker

    def score_all(self, entries: list[Path | ImageReadError]) -> Iterator[dict[str, Any]]:
        """Records for ``entries`` in their order, each yielded once it and all before it are done."""
        next_in = next_out = 0
        while next_out < len(entries) and not self._stop.requested:
            next_in = self._feed(entries, next_in, next_out)
            if self._announced or not self._workers:
                while next_out in self._done:
                    yield self._done.pop(next_out)
                    next_out += 1
            if next_out < len(entries):
                self._receive()
        if next_out < len(entries):
            # stopped: start no new file, finish those handed out (briefly: then the output is
            # all of the input up to some file), and hand out every finished record
            deadline = time.monotonic() + STOP_GRACE_S
            while any(w.outstanding for w in self._workers.values()) and time.monotonic() < deadline:
                self._receive()
            for index in sorted(i for i in self._done if i >= next_out):
                yield self._done.pop(index)

    def _feed(self, entries: list[Path | ImageReadError], next_in: int, next_out: int) -> int:
        while next_in < len(entries) and next_in - next_out < self._ahead:
            entry = entries[next_in]
            if isinstance(entry, ImageReadError):
                self._done[next_in] = error_record(entry.path, entry)
                next_in += 1
                continue
            idle = [w for w in self._workers.values() if len(w.outstanding) < PER_WORKER]
            if not idle:
                if not self._workers:  # none could start: say so in each remaining record
                    self._done[next_in] = error_record(entry, "no scoring process could start")
                    next_in += 1
                    continue
                break
            worker = min(idle, key=lambda w: len(w.outstanding))
            _hand(worker, (next_in, str(entry)))
            next_in += 1
        self.peak_ahead = max(self.peak_ahead, next_in - next_out)
        return next_in

    def _receive(self) -> None:
        """Take the messages the workers have sent, or notice those that died; waits at most _POLL_S."""
        conns = {worker.conn: worker_id for worker_id, worker in self._workers.items()}
        for conn in wait(list(conns), timeout=_POLL_S):
            self._take(conns[conn])  # type: ignore[index]
        self._bury_dead()

    def _take(self, worker_id: int) -> None:
        """Every message waiting on one worker's pipe (none once it has died and its pipe is empty)."""
        worker = self._workers[worker_id]
        try:
            while worker.conn.poll():
                self._handle(worker_id, worker.conn.recv())
        except (EOFError, OSError):
            pass  # its end is closed: the process is dying, which _bury_dead sees

    def _bury_dead(self) -> None:
        """Give the file a dead worker was on an error record and its queued files to a new worker."""
        for worker_id, worker in list(self._workers.items()):
            if worker.process.is_alive():
                continue
            self._take(worker_id)  # its last answers may still be in the pipe
            del self._workers[worker_id]
            worker.conn.close()
            why = _death(worker.process.exitcode)
            if not self._announced:
                # none has come up yet: loading the models kills them, and another would die too
                for index, path in worker.outstanding:
                    self._done[index] = error_record(path, f"the scoring process died at start ({why})")
                continue
            if worker.ready and worker.outstanding:  # (one killed while starting had begun none)
                index, path = worker.outstanding.popleft()
                self._done[index] = error_record(path, f"the scoring process died on this file ({why})")
            heir = self._spawn()
            for task in worker.outstanding:
                _hand(heir, task)

    def _handle(self, worker_id: int, message: tuple[Any, ...]) -> None:
        worker = self._workers[worker_id]
        if message[0] == "ready":
            worker.ready = True
            if not self._announced:
                self._announced = True
                if self._on_unavailable is not None:
                    self._on_unavailable(message[1])
            return
        index, record = message[1], message[2]
        if worker.outstanding and worker.outstanding[0][0] == index:
            worker.outstanding.popleft()
        self._done[index] = record

    def close(self) -> None:
        """Ask every worker to finish, then end those that do not within a moment."""
        for worker in self._workers.values():
            try:
                worker.conn.send(None)
            except OSError:
                pass  # already gone
        deadline = time.monotonic() + 0.3
        for worker in self._workers.values():
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(1.0)
            worker.conn.close()
        self._workers.clear()


def _hand(worker: _Worker, task: tuple[int, str]) -> None:
    """Give a worker one more path; one that died meanwhile keeps it as outstanding, for its heir."""
    worker.outstanding.append(task)
    try:
        worker.conn.send(task)
    except OSError:
        pass  # _bury_dead hands its outstanding paths on


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"
