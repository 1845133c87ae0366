"""Capture figures: pacing accuracy, decode rate, reconnect latency, stop() time, image reading.

    python scripts/bench_capture.py [--quick]

* pacing: a 1280x720 MJPG clip at 30 fps played paced; each frame's t_capture against its due
  time (frame 0 + i/30 s): median and worst lateness, and the drift of the last frame.
* unpaced: the same clip as fast as it decodes (frames per second).
* reconnect: the local MJPEG server (livecheck/dev/mjpeg_server.py) stopped for 3 s, then restarted:
  seconds from restart to the RECONNECTED event and to the first new frame.
* stop: how long Capture.stop() takes mid-clip and mid-stream.
* imageio: read_image of a 4000x3000 JPEG, and refusing a 40000x40000 PNG header.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import struct
import tempfile
import threading
import time
import zlib
from pathlib import Path

import cv2
import numpy as np

from livecheck.capture import RetryPolicy, SourceEvent, SourceEventKind, open_capture
from livecheck.dev.mjpeg_server import MjpegServer
from livecheck.imageio import ImageReadError, read_image


def _clip(path: Path, frames: int, fps: float = 30.0, size: tuple[int, int] = (1280, 720)) -> Path:
    rng = np.random.default_rng(0)
    base = cv2.GaussianBlur(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8), (0, 0), 2)
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    for i in range(frames):
        out.write(np.roll(base, 8 * i, axis=1))
    out.release()
    return path


def _pacing(clip: Path, frames: int) -> dict[str, float]:
    cap = open_capture(str(clip), pace=True, capacity=frames)  # big buffer: measure the producer only
    cap.start()
    got = []
    while not cap.finished:
        frame = cap.get(timeout=0.5)
        if frame is not None:
            got.append(frame.t_capture)
    cap.stop()
    late_ms = [(t - got[0] - i / 30.0) * 1000 for i, t in enumerate(got)]
    return {"frames": len(got), "late_median_ms": round(statistics.median(late_ms), 2),
            "late_max_ms": round(max(late_ms), 2), "drift_last_frame_ms": round(late_ms[-1], 2)}


def _unpaced(clip: Path) -> dict[str, float]:
    cap = open_capture(str(clip), pace=False)
    start = time.perf_counter()
    cap.start()
    n = 0
    while not cap.finished:
        if cap.get(timeout=0.5) is not None:
            n += 1
    elapsed = time.perf_counter() - start
    cap.stop()
    return {"frames": n, "fps": round(n / elapsed, 1)}


def _stop_time(spec: str) -> float:
    cap = open_capture(spec, pace=True)
    cap.start()
    cap.get(timeout=3)
    start = time.perf_counter()
    cap.stop()
    return round((time.perf_counter() - start) * 1000, 2)


def _reconnect(rounds: int) -> dict[str, object]:
    server = MjpegServer(fps=30.0).start()
    reconnected = threading.Event()

    def on_event(event: SourceEvent) -> None:
        if event.kind is SourceEventKind.RECONNECTED:
            reconnected.set()

    cap = open_capture(server.url, retry=RetryPolicy(max_wait=None), on_event=on_event)
    cap.start()
    to_event, to_frame = [], []
    for _ in range(rounds):
        cap.get(timeout=3)
        server.stop()
        time.sleep(3.0)
        while cap.get(timeout=0) is not None:
            pass
        reconnected.clear()
        back = time.monotonic()
        server.start()
        reconnected.wait(10)
        to_event.append(time.monotonic() - back)
        frame = cap.get(timeout=10)
        while frame is not None and frame.t_capture < back:
            frame = cap.get(timeout=10)
        assert frame is not None
        to_frame.append(frame.t_capture - back)
    while cap.get(timeout=0) is not None:  # drain, so the next frame is a new capture
        pass
    alive = cap.stats.captured
    assert cap.get(timeout=3) is not None and cap.stats.captured > alive, "the stream stopped"
    start = time.perf_counter()
    cap.stop()
    stop_ms = (time.perf_counter() - start) * 1000
    server.stop()
    return {"rounds": rounds, "to_reconnected_s": [round(x, 2) for x in to_event],
            "to_first_frame_s": [round(x, 2) for x in to_frame], "stop_mid_stream_ms": round(stop_ms, 2)}


def _imageio(tmp: Path) -> dict[str, float]:
    rng = np.random.default_rng(1)
    photo = cv2.resize(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8), (4000, 3000), interpolation=cv2.INTER_CUBIC)
    path = tmp / "12mp.jpg"
    cv2.imwrite(str(path), photo, [cv2.IMWRITE_JPEG_QUALITY, 90])
    times = []
    for _ in range(5):
        start = time.perf_counter()
        read_image(path)
        times.append(time.perf_counter() - start)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    bomb = tmp / "bomb.png"
    bomb.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(bytes(10000))) + chunk(b"IEND", b""))
    start = time.perf_counter()
    with contextlib.suppress(ImageReadError):
        read_image(bomb)
    refuse = time.perf_counter() - start
    return {"read_12mp_jpeg_ms": round(statistics.median(times) * 1000, 1),
            "refuse_40000x40000_png_ms": round(refuse * 1000, 3)}


def measure(quick: bool = False) -> dict[str, object]:
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        frames = 30 if quick else 150
        clip = _clip(tmp / "720p30.avi", frames)
        return {
            "pacing_720p30": _pacing(clip, frames),
            "unpaced_720p_mjpg": _unpaced(clip),
            "stop_mid_clip_ms": _stop_time(str(clip)),
            "reconnect_after_3s_outage": _reconnect(1 if quick else 3),
            "imageio": _imageio(tmp),
        }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer frames and rounds (a smoke run)")
    args = ap.parse_args(argv)
    print(json.dumps(measure(quick=args.quick), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
