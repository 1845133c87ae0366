"""The live pipeline: every frame analysed, models throttled on the newest frame, clean stop."""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from support.media import collect, write_clip

from livecheck.capture import open_capture
from livecheck.capture.events import CaptureStats
from livecheck.frame import Frame
from livecheck.models import MetricInfo, ModelName, ModelUnavailable
from livecheck.pipeline import MODEL_NICENESS, WORKER_NICENESS, Pipeline, PipelineConfig
from livecheck.result import FrameResult
from livecheck.ringbuffer import Overflow, RingBuffer


class SlowModel:
    """Stands in for NIMA: takes `delay_s` per call and remembers which frames it saw."""

    info = MetricInfo("fake", True, 0.0, 1.0, "test double")
    input = "the frame as given"

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.calls = 0
        self.closed = False

    def score(self, bgr: np.ndarray) -> dict[str, float]:
        time.sleep(self.delay_s)
        self.calls += 1
        return {"mean": float(bgr.mean()) / 25.5, "std": 1.0}

    def close(self) -> None:
        self.closed = True


def test_offline_replay_analyses_every_frame_and_runs_models_on_media_time(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "c.avi", frames=100, fps=50.0)  # 2 s of media time
    model = SlowModel(0.0)
    config = PipelineConfig(models=(ModelName.NIMA,), rates_hz={ModelName.NIMA: 4.0})
    pipeline, results = collect(lambda cb: Pipeline(
        open_capture(str(clip), pace=False), config, on_result=cb, model_loader=lambda n, d: model))
    assert [r.seq for r in results] == list(range(100))
    assert pipeline.stats.dropped == 0
    assert model.calls == 8  # 4 Hz over 2 s of the clip's own clock, whatever the machine's speed
    scored_on = sorted({r.models["nima"].seq for r in results if "nima" in r.models})
    assert scored_on == [0, 13, 25, 38, 50, 63, 75, 88]  # deterministic slots at t = 0, .25, .5, ...
    assert model.closed


def test_live_models_run_throttled_on_newest_frame_without_blocking_the_worker(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "c.avi", frames=100, fps=50.0)
    model = SlowModel(0.08)  # slower than the frame interval: must not hold up the fast checks
    config = PipelineConfig(models=(ModelName.NIMA,), rates_hz={ModelName.NIMA: 4.0})
    pipeline, results = collect(lambda cb: Pipeline(
        open_capture(str(clip), pace=True), config, on_result=cb, model_loader=lambda n, d: model))
    stats = pipeline.stats
    assert stats.analysed + stats.dropped == stats.captured == 100
    # a worker held up by the model would skip ~4 frames per 80 ms call (~30 in all); a busy
    # machine's scheduler may still make it skip a stale frame or two
    assert stats.dropped <= 5
    assert 4 <= model.calls <= 10  # ~4 Hz over ~2 s
    assert stats.latency_p99_ms < 50
    seqs = [r.models["nima"].seq for r in results if "nima" in r.models]
    assert seqs == sorted(seqs) and all(
        s <= r for s, r in zip(seqs, [r.seq for r in results if "nima" in r.models], strict=True))
    assert model.closed
    assert not [t for t in threading.enumerate() if t.name.startswith("livecheck-")]


def test_unavailable_model_is_reported_and_fast_checks_go_on(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "c.avi", frames=20)

    def broken(name: ModelName, weights_dir: Path | None):
        raise ModelUnavailable(f"{name}: models/{name}.tflite is truncated")

    pipeline, results = collect(lambda cb: Pipeline(
        open_capture(str(clip), pace=False), PipelineConfig(models=(ModelName.DIQA,)), on_result=cb,
        model_loader=broken))
    assert len(results) == 20
    assert pipeline.unavailable_models == {"diqa": "diqa: models/diqa.tflite is truncated"}
    assert results[-1].to_json()["models"] == {"diqa": {"unavailable": "diqa: models/diqa.tflite is truncated"}}


def test_stop_mid_stream_is_fast_and_joins_everything(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "c.avi", frames=250, fps=25.0)  # 10 s paced
    model = SlowModel(0.05)
    pipeline = Pipeline(open_capture(str(clip), pace=True), PipelineConfig(models=(ModelName.NIMA,)),
                        model_loader=lambda n, d: model)
    pipeline.start()
    time.sleep(0.5)
    t0 = time.monotonic()
    pipeline.stop()
    assert time.monotonic() - t0 < 1.0
    assert model.closed
    assert not [t for t in threading.enumerate() if t.name.startswith("livecheck-")]


class BackloggedCapture:
    """A live capture whose buffer already holds ``n`` frames when the worker starts: the state a
    worker finds after being held up (descheduled, a slow callback) while frames kept coming."""

    live = True
    description = "backlog"

    def __init__(self, n: int) -> None:
        self._buffer: RingBuffer[Frame] = RingBuffer(n, Overflow.DROP_OLDEST)
        image = np.full((48, 64, 3), 128, np.uint8)
        for seq in range(n):
            self._buffer.put(Frame(seq=seq, t_capture=time.monotonic(), t_media=seq / 50.0, image=image))
        self._buffer.close()
        self._n = n

    def open(self) -> None:
        pass

    def start(self) -> None:
        pass

    def stop(self) -> None:
        self._buffer.close()

    def get(self, timeout: float | None = None) -> Frame | None:
        return self._buffer.get(timeout)

    @property
    def finished(self) -> bool:
        return self._buffer.drained

    @property
    def stats(self) -> CaptureStats:
        return CaptureStats(captured=self._n, dropped=self._buffer.dropped, corrupt_skipped=0, losses=0,
                            reconnects=0, fps=50.0)


def test_a_live_worker_with_a_backlog_analyses_the_newest_frame_not_the_oldest() -> None:
    """Older queued frames would only add their age to every later frame's latency: they are
    skipped, and counted as dropped."""
    pipeline, results = collect(lambda cb: Pipeline(BackloggedCapture(4), PipelineConfig(models=()),
                                                    on_result=cb))
    assert [r.seq for r in results] == [3]
    stats = pipeline.stats
    assert (stats.captured, stats.analysed, stats.dropped) == (4, 1, 3)


def test_stages_and_models_are_timed(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "c.avi", frames=30, fps=50.0)
    config = PipelineConfig(models=(ModelName.NIMA,), rates_hz={ModelName.NIMA: 4.0})
    pipeline, results = collect(lambda cb: Pipeline(
        open_capture(str(clip), pace=False), config, on_result=cb, model_loader=lambda n, d: SlowModel(0.0)))
    stages = pipeline.stats.stages_ms
    assert {"queue", "checks", "checks_off_cpu", "hints", "capture_to_hint", "model_nima"} <= set(stages)
    assert stages["capture_to_hint"]["n"] == 30 and stages["model_nima"]["n"] == pipeline.stats.model_runs["nima"]
    assert stages["checks"]["p50"] <= stages["capture_to_hint"]["p50"]
    assert pipeline.stats.to_json()["stages_ms"] == stages


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")
def test_live_models_run_at_a_lower_os_priority_than_the_worker(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "c.avi", frames=30, fps=50.0)
    seen: dict[str, int] = {}

    class PriorityModel(SlowModel):
        def score(self, bgr: np.ndarray) -> dict[str, float]:
            seen["model"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            return super().score(bgr)

    def on_result(r: FrameResult) -> None:
        seen.setdefault("worker", os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    config = PipelineConfig(models=(ModelName.NIMA,), rates_hz={ModelName.NIMA: 10.0})
    collect(lambda cb: Pipeline(open_capture(str(clip), pace=True), config,
                                on_result=lambda r: (on_result(r), cb(r)),
                                model_loader=lambda n, d: PriorityModel(0.0)))
    if seen["worker"] >= MODEL_NICENESS:
        pytest.skip(f"the whole process already runs at niceness {seen['worker']}")
    assert seen["model"] == MODEL_NICENESS


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")
def test_the_live_worker_asks_for_a_higher_priority_and_says_what_it_got(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "c.avi", frames=20, fps=50.0)
    seen: list[int] = []
    own = os.getpriority(os.PRIO_PROCESS, 0)

    def on_result(r: FrameResult) -> None:
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    config = PipelineConfig(models=())
    live, _ = collect(lambda cb: Pipeline(open_capture(str(clip), pace=True), config,
                                          on_result=lambda r: (on_result(r), cb(r))))
    assert seen and set(seen) == {live.stats.worker_niceness}
    assert live.stats.to_json()["worker_niceness"] == live.stats.worker_niceness
    # raised where the OS allows it (root here, in CI), else left at the process's own
    assert live.stats.worker_niceness in (WORKER_NICENESS, own)
    if os.geteuid() == 0:
        assert live.stats.worker_niceness == WORKER_NICENESS
    offline, results = collect(lambda cb: Pipeline(open_capture(str(clip), pace=False), config, on_result=cb))
    assert results and offline.stats.worker_niceness is None  # a full-speed replay must not starve the machine
