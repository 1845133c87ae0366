"""The live pipeline: capture thread -> ring buffer -> analysis worker -> whoever owns the loop.

Three kinds of thread, each with one job (picamera2's split between the camera thread and the
preview that owns the loop):

* the capture thread (livecheck.capture) reads frames into a bounded ring buffer;
* the analysis worker runs the fast checks on every frame it gets, measures the camera's motion
  since the previous frame (``hold_still``: the one check that needs the stream), feeds the hint
  engine and hands a `FrameResult` to ``on_result``;
* the model thread runs the learned models on the newest frame only, each at its own throttled
  rate, and never holds up the worker.

In unpaced (offline) mode there is no model thread: the worker runs each model itself whenever
the clip's own clock reaches that model's next slot, so a replay is deterministic and complete.
"""
from __future__ import annotations

import dataclasses
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from livecheck.analyser import Analyser, ModelLoader
from livecheck.capture import Capture
from livecheck.fastchecks import frame_blur_kind, frame_hints
from livecheck.frame import Frame
from livecheck.hint import Hint
from livecheck.hint_engine import HintEngine
from livecheck.models import MODEL_SPECS, ModelName, load_model
from livecheck.motion import MotionTracker
from livecheck.regions import Grid
from livecheck.result import FrameResult, ModelScore
from livecheck.thresholds import Thresholds
from livecheck.timing import RunQueueClock, StageTimes
from livecheck.view import VIEW_SIZE

DEFAULT_RATES_HZ: Mapping[ModelName, float] = {name: spec.rate_hz for name, spec in MODEL_SPECS.items()}


@dataclass(frozen=True)
class PipelineConfig:
    thresholds: Thresholds = field(default_factory=Thresholds)
    models: tuple[ModelName, ...] = tuple(ModelName)
    """Learned models to run; () for the fast checks only."""
    rates_hz: Mapping[ModelName, float] = field(default_factory=lambda: dict(DEFAULT_RATES_HZ))
    """How often each model may run, per second of the source's own time."""
    weights_dir: Path | None = None
    """Where model files are read from; None = the ones shipped with livecheck."""
    keep_images: bool = False
    """Attach each analysed frame to its FrameResult (a preview needs it; JSON output does not)."""
    view_size: int = VIEW_SIZE
    """Long side that larger frames are judged at (:mod:`livecheck.view`); 0 = native pixels."""
    grid: Grid | None = None
    """Judge each cell of this grid on its own too (:mod:`livecheck.regions`); None = the whole
    frame only (the live path's default: the cells cost several times the frame's checks)."""


@dataclass(frozen=True)
class PipelineStats:
    captured: int
    analysed: int
    dropped: int
    """Frames never analysed: pushed out of the full ring buffer, or skipped as stale by the worker."""
    corrupt_skipped: int
    losses: int
    reconnects: int
    capture_fps: float
    latency_p50_ms: float
    latency_p99_ms: float
    model_runs: dict[str, int]
    model_failures: dict[str, int]
    """Of those runs, how many failed (the model raised, or gave a non-finite value), per model."""
    stages_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per stage (``StageTimes.summary``): where a frame's capture-to-hint time went (``queue``:
    waiting in the ring buffer for the worker; ``checks``: the fast checks, of which
    ``checks_off_cpu`` the worker was not running, waiting for a CPU or the GIL, and of that
    ``checks_cpu_wait`` (Linux) in the run queue, for a CPU that another thread or process had;
    ``hints``: the
    hint engine and the blend), and each model's run time (``model_<name>``)."""
    worker_niceness: int | None = None
    """The live worker's niceness (``WORKER_NICENESS`` where the OS allowed it); None offline."""

    def to_json(self) -> dict[str, object]:
        return {
            "frames_captured": self.captured,
            "frames_analysed": self.analysed,
            "frames_dropped": self.dropped,
            "frames_corrupt_skipped": self.corrupt_skipped,
            "source_losses": self.losses,
            "source_reconnects": self.reconnects,
            "capture_fps": round(self.capture_fps, 2),
            "latency_p50_ms": round(self.latency_p50_ms, 2),
            "latency_p99_ms": round(self.latency_p99_ms, 2),
            "model_runs": dict(self.model_runs),
            "model_failures": dict(self.model_failures),
            "stages_ms": {k: dict(v) for k, v in self.stages_ms.items()},
            "worker_niceness": self.worker_niceness,
        }


ResultCallback = Callable[[FrameResult], None]


class _ModelSchedule:
    """When each model is next due, on whatever clock the caller passes (wall or media time)."""

    def __init__(self, rates_hz: Mapping[ModelName, float], names: list[ModelName]) -> None:
        self._period = {n: 1.0 / rates_hz[n] for n in names if rates_hz.get(n, 0) > 0}
        self._next_due: dict[ModelName, float] = {}

    def due(self, now: float) -> list[ModelName]:
        return [n for n in self._period if now >= self._next_due.get(n, -np.inf)]

    def ran(self, name: ModelName, now: float) -> None:
        """Book the next slot on a fixed grid (so a late run does not slow the average rate);
        after a long stall, start a fresh grid rather than firing a burst of catch-up runs."""
        period = self._period[name]
        due = self._next_due.get(name, now) + period
        self._next_due[name] = due if due > now else now + period

    def seconds_until_next(self, now: float) -> float:
        if not self._period:
            return float("inf")
        return max(0.0, min(self._next_due.get(n, -np.inf) for n in self._period) - now)


class _ModelBank:
    """The analyser's models, their latest scores and run counts (shared between threads, under a lock)."""

    def __init__(self, config: PipelineConfig, analyser: Analyser, loader: ModelLoader,
                 timings: StageTimes) -> None:
        self._config = config
        self._analyser = analyser
        self._loader = loader
        self._timings = timings
        self._unavailable: dict[str, str] = {}
        self._latest: dict[str, ModelScore] = {}
        self._runs: dict[str, int] = {}
        self._failures: dict[str, int] = {}
        self._first_failure: dict[str, str] = {}
        self._lock = threading.Lock()

    def load(self) -> None:
        self._analyser.load_models(self._config.models, self._config.weights_dir, loader=self._loader)
        with self._lock:
            self._unavailable = dict(self._analyser.unavailable)

    @property
    def names(self) -> list[ModelName]:
        return list(self._analyser.models)

    def run(self, name: ModelName, frame: Frame) -> ModelScore:
        """Score one frame; a failure becomes the model's latest (error) score and is counted,
        and the model is tried again on its next slot, as a camera's next frame may well do."""
        start = time.perf_counter()
        output = self._analyser.run_model(name, frame.image)
        score = ModelScore(
            name=name.value,
            values=output.values,
            seq=frame.seq,
            t_capture=frame.t_capture,
            latency_ms=(time.perf_counter() - start) * 1000.0,
            error=output.error,
        )
        self._timings.add(f"model_{name.value}", score.latency_ms)
        with self._lock:
            self._latest[name.value] = score
            self._runs[name.value] = self._runs.get(name.value, 0) + 1
            if output.error is not None:
                self._failures[name.value] = self._failures.get(name.value, 0) + 1
                self._first_failure.setdefault(name.value, f"frame {frame.seq}: {output.error}")
        return score

    def latest(self) -> dict[str, ModelScore]:
        with self._lock:
            return dict(self._latest)

    def unavailable(self) -> dict[str, str]:
        with self._lock:
            return dict(self._unavailable)

    def runs(self) -> dict[str, int]:
        with self._lock:
            return dict(self._runs)

    def failures(self) -> dict[str, int]:
        with self._lock:
            return dict(self._failures)

    def first_failures(self) -> dict[str, str]:
        with self._lock:
            return dict(self._first_failure)

    def close(self) -> None:
        self._analyser.close()


class _ModelThread(threading.Thread):
    """Runs the due models on the newest submitted frame; older frames are simply replaced."""

    def __init__(self, bank: _ModelBank, rates_hz: Mapping[ModelName, float]) -> None:
        super().__init__(name="livecheck-models", daemon=True)
        self._bank = bank
        self._rates = rates_hz
        self._cond = threading.Condition()
        self._pending: Frame | None = None
        self._stopping = False
        self.loaded = threading.Event()
        """Set once every model has been loaded (or found unavailable)."""

    def submit(self, frame: Frame) -> None:
        with self._cond:
            self._pending = frame
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()

    def run(self) -> None:
        set_own_niceness(MODEL_NICENESS)  # when both compete for a core, the per-frame checks should win
        try:
            self._bank.load()  # here, not in start(): MediaPipe start-up must not delay the first frame
        finally:
            self.loaded.set()
        schedule = _ModelSchedule(self._rates, self._bank.names)
        try:
            while True:
                with self._cond:
                    while not self._stopping and self._pending is None:
                        self._cond.wait()
                    if self._stopping:
                        return
                    wait_s = schedule.seconds_until_next(time.monotonic())
                if wait_s > 0:
                    # nothing due yet: sleep until a slot opens (or we are stopped), then take the newest frame
                    with self._cond:
                        self._cond.wait_for(lambda: self._stopping, timeout=min(wait_s, 1.0))
                        if self._stopping:
                            return
                    continue
                with self._cond:
                    frame, self._pending = self._pending, None
                if frame is None:
                    continue
                for name in schedule.due(time.monotonic()):
                    self._bank.run(name, frame)
                    schedule.ran(name, time.monotonic())
        finally:
            self._bank.close()


MODEL_NICENESS = 15
"""The model thread's niceness (Linux: per thread; the threads it starts inherit it). Far below the
worker, the capture and the GUI: a model score a little late costs nothing, a late frame costs
the hint latency. At 5 the models still took CPU the worker was waiting for."""


WORKER_NICENESS = -10
"""The live worker's niceness, where the OS allows it (root, or CAP_SYS_NICE; an ordinary user is
refused and the worker stays at the process's own). The per-frame checks are a short burst every
frame: when other processes keep both cores busy, at niceness 0 the worker waited in the run
queue for most of its p99, and a wake-up at -10 preempts them. A replay at full speed
(``--no-pace``) keeps the default: its throughput must not starve the machine."""


def set_own_niceness(niceness: int) -> int | None:
    """Ask for ``niceness`` for the calling thread (Linux: niceness is per thread); returns the
    niceness it runs at afterwards, None where threads have none (not Linux)."""
    try:
        tid = threading.get_native_id()
    except AttributeError:
        return None
    try:
        os.setpriority(os.PRIO_PROCESS, tid, niceness)
    except OSError:  # not allowed (a higher priority needs privileges): the current one will do
        pass
    try:
        return os.getpriority(os.PRIO_PROCESS, tid)
    except OSError:
        return None


GIL_SWITCH_INTERVAL_S = 0.001
"""How long a thread may hold the GIL before another is let in (Python's default is 5 ms).
BRISQUE's feature code is a chain of short numpy calls: with the default, the worker could wait a
whole interval behind it; with 1 ms, its capture-to-hint latency stays flat while models run."""


class Pipeline:
    """Owns the analysis worker and the model thread for one capture source.

    ``on_result`` is called from the worker thread: keep it cheap, or hand the result to your
    own thread (the Qt app emits a queued signal). Source events (lost, reconnected, ended) come
    from the capture's own ``on_event`` callback, given to ``open_capture``. ``model_loader``
    turns a ModelName into a model (tests and embedders pass their own).
    """

    def __init__(
        self,
        capture: Capture,
        config: PipelineConfig | None = None,
        on_result: ResultCallback | None = None,
        *,
        model_loader: ModelLoader = load_model,
        timings: StageTimes | None = None,
    ) -> None:
        self._capture = capture
        self._config = config or PipelineConfig()
        self._on_result = on_result
        self._engine = HintEngine(self._config.thresholds)
        self._motion = (MotionTracker(self._config.view_size)
                        if self._config.thresholds.enabled(Hint.HOLD_STILL) else None)
        """The camera's motion between frames, for ``hold_still``; None when that hint is disabled
        (converting each frame to grey for it costs as much as the checks at 4K)."""
        self._analyser = Analyser(self._config.thresholds, self._config.view_size, grid=self._config.grid)
        self.timings = timings if timings is not None else StageTimes()
        """Where each frame's time went; pass one in to share it (the app's, across restarts)."""
        self._bank = _ModelBank(self._config, self._analyser, model_loader, self.timings)
        self._model_thread: _ModelThread | None = None
        self._worker = threading.Thread(target=self._work, name="livecheck-worker", daemon=True)
        self._stop = threading.Event()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._analysed = 0
        self._stale = 0
        self._run_queue = RunQueueClock(None)  # replaced by the worker's own, opened on its thread
        """Live frames skipped because a newer one was already waiting (see ``_newest``)."""
        self._error: BaseException | None = None
        self._worker_niceness: int | None = None
        """What the live worker runs at (``WORKER_NICENESS`` where allowed); None offline."""

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, wait_for_models: bool = False) -> None:
        """Open the source (raises SourceError) and start the threads.

        Live sources start at once and the models join in when loaded (a preview wants its first
        frame fast; frames that arrive while MediaPipe starts up may be dropped). With
        ``wait_for_models`` the source is opened, then the models are loaded, and only then do
        frames flow: what a replay that stands in for a camera wants (no start-up drops).
        """
        self._capture.open()  # first: a source that cannot be opened must not wait for the models
        if self._config.models and self._capture.live:
            self._model_thread = _ModelThread(self._bank, self._config.rates_hz)
            sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL_S))
            self._model_thread.start()
            if wait_for_models:
                self._model_thread.loaded.wait()
        elif self._config.models:
            self._bank.load()  # offline: the worker runs the models itself, deterministically
        self._capture.start()
        self._worker.start()

    def stop(self) -> None:
        """Stop capturing, finish the frame in hand, join every thread and close the models."""
        self._stop.set()
        self._capture.stop()
        if self._worker.is_alive():
            self._worker.join(timeout=5.0)
        if self._model_thread is not None:
            self._model_thread.stop()
            self._model_thread.join(timeout=5.0)
        else:
            self._bank.close()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the source has ended and every buffered frame was analysed."""
        return self._done.wait(timeout)

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    @property
    def error(self) -> BaseException | None:
        """An unexpected exception that stopped the worker (a bug, not a user error)."""
        return self._error

    @property
    def unavailable_models(self) -> dict[str, str]:
        return self._bank.unavailable()

    @property
    def failed_models(self) -> dict[str, str]:
        """Each model that has failed on some frame -> ``"frame N: why"`` for its first failure."""
        return self._bank.first_failures()

    @property
    def stats(self) -> PipelineStats:
        """Every figure over the whole window of samples (``timing.WINDOW`` frames)."""
        return self.snapshot()

    def snapshot(self, last: int | None = None) -> PipelineStats:
        """The figures, with latencies and stages over only the ``last`` frames when given: what a
        display refreshed several times a second wants (recent, and cheap to compute)."""
        cap = self._capture.stats
        with self._lock:
            analysed, stale = self._analysed, self._stale
        p50, p99 = self.timings.percentiles("capture_to_hint", last=last)
        return PipelineStats(
            captured=cap.captured,
            analysed=analysed,
            dropped=cap.dropped + stale,
            corrupt_skipped=cap.corrupt_skipped,
            losses=cap.losses,
            reconnects=cap.reconnects,
            capture_fps=cap.fps,
            latency_p50_ms=p50,
            latency_p99_ms=p99,
            model_runs=self._bank.runs(),
            model_failures=self._bank.failures(),
            stages_ms=self.timings.summary(last),
            worker_niceness=self._worker_niceness,
        )

    # -- the worker ------------------------------------------------------------------------
    def _work(self) -> None:
        self._run_queue = RunQueueClock()  # this thread's own figure
        if self._capture.live:
            self._worker_niceness = set_own_niceness(WORKER_NICENESS)
        offline_schedule = None
        if self._model_thread is None and self._config.models:
            offline_schedule = _ModelSchedule(self._config.rates_hz, self._bank.names)
        try:
            while not self._stop.is_set():
                frame = self._capture.get(timeout=0.1)
                if frame is None:
                    if self._capture.finished:
                        break
                    continue
                if self._capture.live:
                    frame = self._newest(frame)
                if offline_schedule is not None:
                    for name in offline_schedule.due(frame.t_media):
                        self._bank.run(name, frame)
                        offline_schedule.ran(name, frame.t_media)
                result = self._analyse(frame)
                if self._model_thread is not None:
                    self._model_thread.submit(frame)
                if self._on_result is not None:
                    self._on_result(result)
        except BaseException as exc:
            self._error = exc
        finally:
            self._run_queue.close()
            self._done.set()

    def _newest(self, frame: Frame) -> Frame:
        """The newest frame waiting, ``frame`` if none: a live frame with a newer one behind it is
        stale, and analysing it would only make the newer one later still (each frame of backlog
        adds a frame interval to every later frame's latency). Skipped frames count as dropped."""
        while (newer := self._capture.get(timeout=0)) is not None:
            frame = newer
            with self._lock:
                self._stale += 1
        return frame

    def _analyse(self, frame: Frame) -> FrameResult:
        queued_start, cpu_start, t_start = self._run_queue.seconds(), time.thread_time(), time.monotonic()
        assessment = self._analyser.check(frame.image)
        if self._motion is not None:
            measured = dataclasses.replace(assessment.metrics, motion=self._motion.update(frame.image, frame.seq))
        else:
            measured = assessment.metrics
        cells = self._analyser.regions(frame.image, assessment.metrics)
        t_checked, cpu_checked, queued_checked = time.monotonic(), time.thread_time(), self._run_queue.seconds()
        hints = self._engine.update(measured, frame.t_media)
        metrics = measured.as_dict()
        models = self._bank.latest()
        quality = self._analyser.quality(metrics, hints, {n: s.values for n, s in models.items() if s.error is None})
        t_done = time.monotonic()
        checks_ms = (t_checked - t_start) * 1000.0
        stages = [
            ("queue", (t_start - frame.t_capture) * 1000.0),
            ("checks", checks_ms),
            ("checks_off_cpu", max(0.0, checks_ms - (cpu_checked - cpu_start) * 1000.0)),
            ("hints", (t_done - t_checked) * 1000.0),
            ("capture_to_hint", (t_done - frame.t_capture) * 1000.0),
        ]
        if queued_start is not None and queued_checked is not None:
            stages.append(("checks_cpu_wait", (queued_checked - queued_start) * 1000.0))
        self.timings.add_many(stages)
        with self._lock:
            self._analysed += 1
        return FrameResult(
            seq=frame.seq,
            t_media=frame.t_media,
            t_capture=frame.t_capture,
            t_done=t_done,
            metrics=metrics,
            frame_hints=frame_hints(measured, self._analyser.thresholds),
            hints=hints,
            quality=quality,
            models=models,
            unavailable_models=self._bank.unavailable(),
            image=frame.image if self._config.keep_images else None,
            blur_kind=frame_blur_kind(measured, hints, self._analyser.thresholds),
            regions=cells,
        )
