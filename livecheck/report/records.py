"""Reads the JSON lines of `livecheck replay` or `livecheck score --json` back into typed records.

Which command wrote a line is told by its keys (README, "Output"): ``frame`` + ``t`` is a replay
frame, ``event`` a source event, ``summary`` the replay's last line, ``path`` a scored photo. One
input holds one kind of run; a replay line in a photo batch (or the reverse) is an error.

A line that is not JSON, not an object, of no known kind, or whose ``t`` / ``hints`` / ``quality``
have the wrong type raises :class:`RecordError` naming the line. Missing metrics, models that
failed or never loaded, and photos that could not be read are not errors: they are kept as
absent values, so the report draws what is there.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


class RecordError(ValueError):
    """A line that cannot be a livecheck record: ``str()`` is one line with the input's name and line number."""


@dataclass(frozen=True)
class ModelResult:
    """One model's entry in a record: its numbers, or why there are none."""

    values: dict[str, float]
    seq: int | None = None
    """The frame the result was computed on (replay); None for a photo."""
    error: str | None = None
    unavailable: str | None = None


@dataclass(frozen=True)
class FrameRecord:
    frame: int
    t: float
    hints: frozenset[str]
    quality: float | None
    metrics: dict[str, float]
    models: dict[str, ModelResult]


@dataclass(frozen=True)
class EventRecord:
    kind: str
    message: str
    t: float | None
    """Media time of the last frame before the event (None before the first frame)."""


@dataclass(frozen=True)
class PhotoRecord:
    path: str
    hints: frozenset[str]
    quality: float | None
    width: int | None
    height: int | None
    metrics: dict[str, float]
    models: dict[str, ModelResult]
    error: str | None = None


@dataclass
class ReplayRun:
    frames: list[FrameRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    summary: dict[str, Any] | None = None


@dataclass
class PhotoBatch:
    photos: list[PhotoRecord] = field(default_factory=list)


Run = ReplayRun | PhotoBatch


def read_records(lines: Iterable[str | bytes], name: str) -> Run:
    """Parse every line (blank ones are skipped); ``name`` goes into the errors (a path, or ``-``).

    Give it a file opened in binary mode: a text-mode file decodes ahead in blocks, and would
    report a byte that is not UTF-8 at the wrong line."""
    replay: ReplayRun | None = None
    batch: PhotoBatch | None = None
    for number, line in _numbered(lines, name):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        record = _json_object(line, where)
        if "path" in record:
            if replay is not None:
                raise RecordError(f"{where}: a `livecheck score` record in a replay run")
            batch = batch or PhotoBatch()
            batch.photos.append(_photo(record, where))
            continue
        if batch is not None:
            raise RecordError(f"{where}: a `livecheck replay` record in a batch of scored photos")
        replay = replay or ReplayRun()
        _add_replay_line(replay, record, where)
    if replay is not None:
        if not replay.frames:
            raise RecordError(f"{name}: no frame records (a replay that analysed nothing?)")
        return replay
    if batch is not None:
        return batch
    raise RecordError(f"{name}: empty: no JSON lines to report on")


def _numbered(lines: Iterable[str | bytes], name: str) -> Iterator[tuple[int, str]]:
    """``enumerate`` from 1, decoding bytes line by line, so text that is not UTF-8 is reported at its line."""
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError:
                raise RecordError(f"{name}:{number}: not UTF-8 text (a binary file?)") from None
        yield number, line


def _json_object(line: str, where: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"{where}: not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise RecordError(f"{where}: a JSON {type(record).__name__}, not an object")
    return record


def _add_replay_line(run: ReplayRun, record: dict[str, Any], where: str) -> None:
    if "summary" in record:
        if not isinstance(record["summary"], dict):
            raise RecordError(f"{where}: `summary` is not an object")
        run.summary = record["summary"]
    elif "event" in record:
        t = run.frames[-1].t if run.frames else None
        run.events.append(EventRecord(str(record["event"]), str(record.get("message", "")), t))
    elif "frame" in record and "t" in record:
        run.frames.append(FrameRecord(
            frame=_int(record["frame"], "frame", where),
            t=_number(record["t"], "t", where),
            hints=_hints(record.get("hints", []), where),
            quality=_optional_number(record.get("quality"), "quality", where),
            metrics=_metrics(record.get("metrics")),
            models=_models(record.get("models")),
        ))
    else:
        keys = ", ".join(sorted(record)) or "none"
        raise RecordError(f"{where}: not a livecheck replay or score record (keys: {keys})")


def _photo(record: dict[str, Any], where: str) -> PhotoRecord:
    error = record.get("error")
    return PhotoRecord(
        path=str(record["path"]),
        hints=_hints(record.get("hints", []), where),
        quality=_optional_number(record.get("quality"), "quality", where),
        width=_optional_int(record.get("width"), "width", where),
        height=_optional_int(record.get("height"), "height", where),
        metrics=_metrics(record.get("metrics")),
        models=_models(record.get("models")),
        error=None if error is None else str(error),
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: Any, key: str, where: str) -> float:
    if not _is_number(value):
        raise RecordError(f"{where}: `{key}` is {json.dumps(value)}, not a finite number")
    return float(value)


def _optional_number(value: Any, key: str, where: str) -> float | None:
    return None if value is None else _number(value, key, where)


def _int(value: Any, key: str, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise RecordError(f"{where}: `{key}` is {json.dumps(value)}, not an integer")
    return value


def _optional_int(value: Any, key: str, where: str) -> int | None:
    return None if value is None else _int(value, key, where)


def _hints(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(h, str) for h in value):
        raise RecordError(f"{where}: `hints` is {json.dumps(value)}, not a list of hint names")
    return frozenset(value)


def _metrics(value: Any) -> dict[str, float]:
    """The finite numeric metrics; anything else (absent, null, NaN written as a string) is left out."""
    if not isinstance(value, Mapping):
        return {}
    return {k: float(v) for k, v in value.items() if _is_number(v)}


def _models(value: Any) -> dict[str, ModelResult]:
    if not isinstance(value, Mapping):
        return {}
    out = {}
    for name, entry in value.items():
        if not isinstance(entry, Mapping):
            continue
        seq = entry.get("seq")
        out[str(name)] = ModelResult(
            values={k: float(v) for k, v in entry.items() if k not in ("seq", "age_ms") and _is_number(v)},
            seq=seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
            error=None if entry.get("error") is None else str(entry["error"]),
            unavailable=None if entry.get("unavailable") is None else str(entry["unavailable"]),
        )
    return out
