"""Generated media for the tests: synthetic scenes, clips in every shape a camera writes, hand-made PNGs."""
from __future__ import annotations

import struct
import threading
import zlib
from pathlib import Path

import cv2
import numpy as np

from livecheck.pipeline import Pipeline
from livecheck.result import FrameResult


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, colour_type: int, rows: bytes, extra: bytes = b"") -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + extra
            + png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))


def with_exif_orientation(jpeg: bytes, orientation: int) -> bytes:
    entry = struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0)
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + entry + struct.pack("<I", 0)
    app1 = b"Exif\x00\x00" + tiff
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpeg[2:]


def write_clip(path: Path, frames: int, fps: float = 50.0, size: tuple[int, int] = (320, 240)) -> Path:
    rng = np.random.default_rng(0)
    base = cv2.GaussianBlur(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8), (0, 0), 2)
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    for i in range(frames):
        out.write(np.roll(base, i * 3, axis=1))
    out.release()
    return path


def collect(pipeline_factory) -> tuple[Pipeline, list[FrameResult]]:
    results: list[FrameResult] = []
    lock = threading.Lock()

    def on_result(r: FrameResult) -> None:
        with lock:
            results.append(r)

    pipeline = pipeline_factory(on_result)
    pipeline.start()
    assert pipeline.wait(timeout=30)
    pipeline.stop()
    return pipeline, results


def scene(width: int = 640, height: int = 480) -> np.ndarray:
    """A drawn, sharp scene (shapes, text, a gradient), drawn natively at any size."""
    s = width / 640.0
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    img = np.dstack([60 + 80 * x / width, 90 + 60 * y / height, 120 + 40 * (x + y) / (width + height)])
    img = img.astype(np.uint8)
    cv2.rectangle(img, (int(60 * s), int(50 * s)), (int(260 * s), int(220 * s)), (20, 40, 200), -1)
    cv2.circle(img, (int(450 * s), int(160 * s)), int(90 * s), (230, 220, 40), -1)
    cv2.line(img, (int(40 * s), int(400 * s)), (int(600 * s), int(300 * s)), (250, 250, 250),
             max(1, int(6 * s)))
    cv2.putText(img, "livecheck 123", (int(50 * s), int(350 * s)), cv2.FONT_HERSHEY_SIMPLEX,
                2.0 * s, (10, 10, 10), max(1, int(4 * s)), cv2.LINE_AA)
    for i in range(12):  # a row of thin bars: fine detail
        x0 = int((330 + 22 * i) * s)
        cv2.rectangle(img, (x0, int(380 * s)), (x0 + max(1, int(8 * s)), int(460 * s)), (30, 30, 30), -1)
    return img


def add_noise(img: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0.0, sigma, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma)


def write_video(path: Path, frames: int, fps: float = 25.0, size: tuple[int, int] = (160, 120),
                fourcc: str = "MJPG") -> Path:
    """Frame i shows i in binary as 8 black/white stripes, so its index survives any codec."""
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, size)
    assert out.isOpened()
    stripe = size[0] // 8
    for i in range(frames):
        image = np.zeros((size[1], size[0], 3), np.uint8)
        for bit in range(8):
            if i >> bit & 1:
                image[:, bit * stripe:(bit + 1) * stripe] = 255
        out.write(image)
    out.release()
    return path


def write_phone_clip(path: Path, rotation: int, frames: int = 10, size: tuple[int, int] = (320, 240)) -> Path:
    """A landscape mp4v clip whose top half is white, flagged as a phone flags portrait video:
    the rotation goes into the track header's display matrix (.mov, .3gp and .mp4 alike)."""
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25.0, size)
    assert out.isOpened()
    image = np.zeros((size[1], size[0], 3), np.uint8)
    image[: size[1] // 2] = 255
    for _ in range(frames):
        out.write(image)
    out.release()
    data = bytearray(path.read_bytes())
    tkhd = data.index(b"tkhd")
    assert data[tkhd + 4] == 0, "a version-0 track header"
    matrix = tkhd + 4 + 4 + 20 + 8 + 8  # version/flags, times/id/duration, reserved, layer..volume
    assert struct.unpack(">9i", data[matrix:matrix + 36]) == (1 << 16, 0, 0, 0, 1 << 16, 0, 0, 0, 1 << 30)
    a, b, c, d = (v << 16 for v in _DISPLAY_MATRIX[rotation])
    data[matrix:matrix + 36] = struct.pack(">9i", a, b, 0, c, d, 0, 0, 0, 1 << 30)
    path.write_bytes(bytes(data))
    return path


def corrupt_frames(clip: Path, which: range) -> None:
    data = bytearray(clip.read_bytes())
    starts = [i for i in range(len(data) - 2) if data[i:i + 3] == b"\xff\xd8\xff"]
    for k in which:
        begin, end = starts[k], starts[k + 1]
        data[begin + 2:end - 16] = bytes(end - 18 - begin)  # the whole JPEG body zeroed
    clip.write_bytes(bytes(data))


_DISPLAY_MATRIX = {  # QuickTime track matrix (a, b, c, d in 16.16) a phone writes for each rotation
    90: (0, 1, -1, 0), 180: (-1, 0, 0, -1), 270: (0, -1, 1, 0),
}


def half_blurred(img: np.ndarray, sigma_view: float = 2.5) -> np.ndarray:
    """The right half blurred by ``sigma_view`` viewing pixels (the frame fitted to 1920 px)."""
    h, w = img.shape[:2]
    f = max(1.0, max(h, w) / 1920)
    out = img.copy()
    out[:, w // 2:] = cv2.GaussianBlur(img, (0, 0), sigma_view * f)[:, w // 2:]
    return out
