"""``--engine ray``: a batch of photos (`score`) or clips (`replay`) shared among a Ray cluster.

Ray Data reads the list of inputs (``from_items``: one block per input, so a slow file holds up no
other); a pool of stateful actors, one CPU each, does the work: each loads the learned models once
and reads the pixels itself, with the very code of the local run (``Scorer.score_entry`` for a photo,
``replay.replay_clip`` for a clip, whose frames stay in order inside one actor). The records travel
back as JSON text, so nothing in them is retyped on the way, and the driver hands them out in input
order, each as soon as it and all before it are done.

Without an address (``--ray-address`` or ``$RAY_ADDRESS``, which ``ray job submit`` sets) a local
cluster of ``jobs`` CPUs is started for the run and shut down after it. A cluster's workers need
livecheck installed (the models are package data) and the inputs at the same paths as the driver.
"""
from __future__ import annotations

import io
import json
import logging
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, TextIO

import numpy as np

from livecheck.cli.stopping import StopRequest
from livecheck.imageio import ImageReadError
from livecheck.result import error_record

EXTRA = "livecheck[cluster]"
LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024
"""The local cluster's shared memory: records are small, and no pixel goes through the store."""
RETRIES = 2
"""A worker lost mid-file (a node gone, a native crash) is restarted and the file retried this many
times; a file that still kills it fails the run, and the files not yet out get error records
(Ray Data's default, retrying for ever, would never end on a file that crashes its decoder)."""
_CHATTER = ("ray._private.authentication.authentication_token_setup", "ray.data._internal.progress",
            "ray.data._internal.execution.streaming_executor")
"""Ray's loggers whose notes (token auth on by default, progress bars off, a dataset's start and
end) are not news to a user of livecheck; their errors still show."""


class EngineUnavailable(Exception):
    """``--engine ray`` without Ray installed; ``str()`` is the one line for the user."""


class EntryScorer(Protocol):
    """What a score worker needs from the analyser: ``Scorer`` today."""

    unavailable: dict[str, str]

    def score_entry(self, entry: Path | ImageReadError) -> dict[str, Any]: ...

    def close(self) -> None: ...


def import_ray() -> ModuleType:
    """Ray, or EngineUnavailable saying which extra to install."""
    try:
        import ray
        import ray.data  # the extra, not only ray core
    except ImportError:
        raise EngineUnavailable(f"--engine ray needs Ray: pip install '{EXTRA}'") from None
    return ray


class _Cluster:
    """The Ray cluster of one run: joined when an address is given, else started here and shut down."""

    def __init__(self, address: str | None, jobs: int) -> None:
        self._ray = import_ray()
        for name in _CHATTER:
            logging.getLogger(name).setLevel(logging.ERROR)
        address = address or os.environ.get("RAY_ADDRESS")
        # the workers' own output stays in their logs: what livecheck says comes back in the records
        if address:
            self._ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
            self.cpus = max(1, int(self._ray.cluster_resources().get("CPU", 1)))
        else:
            self._ray.init(address="local", num_cpus=jobs, include_dashboard=False,
                           object_store_memory=LOCAL_OBJECT_STORE_BYTES, logging_level=logging.WARNING,
                           log_to_driver=False)
            self.cpus = jobs
        context = self._ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        context.enable_auto_log_stats = False

    def ordered_map(self, items: list[dict[str, Any]], worker: type, init: dict[str, Any],
                    stop: StopRequest) -> Iterator[tuple[int, dict[str, Any] | str]]:
        """``(k, row)`` for each of ``items`` (dicts whose "index" is k, their position), in order.

        Rows come back from the actors in any order; each is held until all before it are out. If
        the run fails, every item not yet out gets its row if it had come back, else why the run
        failed (a str). On a stop no more rows are waited for, and those back are handed out, in order.
        """
        ray = self._ray
        with warnings.catch_warnings():
            # max_restarts / max_task_retries have no named parameter yet (hence the < 2.64 pin)
            warnings.filterwarnings("ignore", "`ray_remote_args` is deprecated")
            dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
                worker, batch_size=1, batch_format="numpy", fn_constructor_kwargs=init, num_cpus=1,
                compute=ray.data.ActorPoolStrategy(size=min(self.cpus, len(items))),
                max_restarts=RETRIES, max_task_retries=RETRIES)
        done: dict[int, dict[str, Any]] = {}
        next_out = 0
        try:
            for row in dataset.iter_rows():
                done[int(row["index"])] = row
                while next_out in done:
                    yield next_out, done.pop(next_out)
                    next_out += 1
                if stop.requested:
                    break
        except Exception as exc:  # the cluster failed: a worker that cannot start, a lost node, a crash
            why = f"the Ray job failed: {_first_line(exc)}"
            for k in range(next_out, len(items)):
                yield k, done.pop(k, why)
            return
        for k in sorted(done):
            yield k, done.pop(k)

    def close(self) -> None:
        self._ray.shutdown()


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"


class _ScoreWorker:
    """One actor of the score pool: the models loaded once, then one photo per call."""

    def __init__(self, load: Callable[[], EntryScorer]) -> None:
        import cv2

        cv2.setNumThreads(1)  # one actor per CPU already, as the local --jobs workers
        self._scorer = load()
        self._unavailable = json.dumps(self._scorer.unavailable)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        records = []
        for path in batch["path"]:
            try:
                record = self._scorer.score_entry(Path(str(path)))
            except Exception as exc:  # as a --jobs worker: the file gets an error record, the batch goes on
                record = error_record(path, f"cannot score: {_first_line(exc)}")
            records.append(json.dumps(record))
        return {"index": batch["index"], "record": np.array(records, dtype=object),
                "unavailable": np.array([self._unavailable] * len(records), dtype=object)}

    def __del__(self) -> None:
        if hasattr(self, "_scorer"):
            self._scorer.close()


class RayScorePool:
    """``score_all(entries)`` yields the same records as the in-process path, in input order,
    with the photos scored on a Ray cluster (the same interface as ``ScorePool``)."""

    def __init__(self, load: Callable[[], EntryScorer], jobs: int, address: str | None, stop: StopRequest, *,
                 on_unavailable: Callable[[dict[str, str]], None] | None = None) -> None:
        import_ray()  # before any work: a missing extra is a usage error
        self._load = load
        self._jobs = jobs
        self._address = address
        self._stop = stop
        self._on_unavailable = on_unavailable
        self._cluster: _Cluster | None = None
        self._announced = False

    def score_all(self, entries: list[Path | ImageReadError]) -> Iterator[dict[str, Any]]:
        """Records for ``entries`` in their order; the entries that are errors already are not sent out."""
        wanted = [i for i, entry in enumerate(entries) if not isinstance(entry, ImageReadError)]
        items = [{"index": k, "path": str(entries[i])} for k, i in enumerate(wanted)]
        next_out = 0
        if items and not self._stop.requested:
            self._cluster = _Cluster(self._address, self._jobs)
        if self._cluster is not None and not self._stop.requested:
            for k, row in self._cluster.ordered_map(items, _ScoreWorker, {"load": self._load}, self._stop):
                index = wanted[k]
                yield from self._errors_before(entries, next_out, index)
                if isinstance(row, str):
                    yield error_record(entries[index], row)
                else:
                    if not self._announced and self._on_unavailable is not None:
                        self._on_unavailable(json.loads(row["unavailable"]))
                    self._announced = True
                    yield json.loads(row["record"])
                next_out = index + 1
        if not self._stop.requested:
            yield from self._errors_before(entries, next_out, len(entries))

    @staticmethod
    def _errors_before(entries: list[Path | ImageReadError], start: int, end: int) -> Iterator[dict[str, Any]]:
        for entry in entries[start:end]:
            if isinstance(entry, ImageReadError):
                yield error_record(entry.path, entry)

    def close(self) -> None:
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


@dataclass(frozen=True)
class ClipRun:
    """One clip's share of a replay batch: its JSON lines and stderr text, as a replay of it alone writes them."""

    lines: str
    stderr: str
    code: int


class _ReplayWorker:
    """One actor of the replay pool: a whole clip per call, so its frames stay in order."""

    def __init__(self, replay_clip: Callable[[str, TextIO], int]) -> None:
        import cv2

        cv2.setNumThreads(1)
        self._replay_clip = replay_clip

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        lines, stderr, codes = [], [], []
        for clip in batch["clip"]:
            out, err = io.StringIO(), io.StringIO()
            with redirect_stderr(err):
                codes.append(self._replay_clip(str(clip), out))
            lines.append(out.getvalue())
            stderr.append(err.getvalue())
        return {"index": batch["index"], "lines": np.array(lines, dtype=object),
                "stderr": np.array(stderr, dtype=object), "code": np.array(codes)}


def replay_all(clips: list[str], replay_clip: Callable[[str, TextIO], int], address: str | None, jobs: int,
               stop: StopRequest) -> Iterator[ClipRun]:
    """Each clip replayed by ``replay_clip(clip, out)`` on a Ray cluster, yielded in input order.

    If the cluster fails, each clip that had not come back gets a ``{"source", "error"}`` line.
    """
    import_ray()
    cluster = _Cluster(address, jobs)
    try:
        items = [{"index": k, "clip": clip} for k, clip in enumerate(clips)]
        for k, row in cluster.ordered_map(items, _ReplayWorker, {"replay_clip": replay_clip}, stop):
            if isinstance(row, str):
                yield ClipRun(json.dumps({"source": clips[k], "error": row}, separators=(",", ":")) + "\n",
                              f"livecheck: {clips[k]}: {row}\n", 1)
            else:
                yield ClipRun(str(row["lines"]), str(row["stderr"]), int(row["code"]))
    finally:
        cluster.close()
