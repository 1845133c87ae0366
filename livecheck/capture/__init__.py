"""Capture sources: cameras, video files, image folders and network streams, one module each.

``open_capture(spec)`` picks the source from what ``spec`` looks like and wraps it in a
``Capture`` (a thread feeding a ring buffer)::

    cap = open_capture("clip.mp4", pace=True, on_event=print)
    cap.start()                      # raises SourceError with a one-line reason
    while not cap.finished:
        frame = cap.get(timeout=0.1)
        ...
    cap.stop()
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from livecheck.capture.base import Read, ReadStatus, Source
from livecheck.capture.camera import CameraSource
from livecheck.capture.events import CaptureStats, RetryPolicy, SourceError, SourceEvent, SourceEventKind
from livecheck.capture.folder import ImageFolderSource
from livecheck.capture.stream import StreamSource
from livecheck.capture.thread import Capture, EventCallback
from livecheck.capture.video import VideoSource
from livecheck.imageio import ImageReadError, is_image_path, iter_image_paths

__all__ = [
    "CameraSource",
    "Capture",
    "CaptureStats",
    "ImageFolderSource",
    "Read",
    "ReadStatus",
    "RetryPolicy",
    "Source",
    "SourceError",
    "SourceEvent",
    "SourceEventKind",
    "StreamSource",
    "VideoSource",
    "is_camera_index",
    "make_source",
    "open_capture",
]

_CAMERA_INDEX = re.compile(r"[+-]?\d+")


def is_camera_index(spec: str | int | os.PathLike[str]) -> bool:
    """Whether ``make_source`` opens ``spec`` as a camera (``0``, ``"1"``, ``" +2 "``; a negative
    index is refused there, with a message)."""
    if isinstance(spec, bool):
        return False
    return isinstance(spec, int) or bool(_CAMERA_INDEX.fullmatch(os.fspath(spec).strip()))


def make_source(spec: str | int | os.PathLike[str], fps: float | None = None, decode_to: int = 0) -> Source:
    """The Source for ``spec``: a camera index, a URL, a folder or glob of images, an image or a video.
    ``decode_to``: a long side (px) that the analysis needs at most; larger JPEGs of a folder are
    decoded only that large (0: every pixel).

    Raises SourceError for a spec that names nothing (a missing file, a pattern matching no image,
    a negative camera index), without touching any device.
    """
    if isinstance(spec, bool):
        raise SourceError(f"not a source: {spec!r}")
    if isinstance(spec, int):
        return CameraSource(spec, fps=fps)
    text = os.fspath(spec).strip()
    if is_camera_index(text):
        return CameraSource(int(text), fps=fps)
    scheme = urlsplit(text).scheme.lower()
    if "://" in text and scheme != "file":
        return StreamSource(text)
    if scheme == "file":
        text = urlsplit(text).path
    path = Path(text).expanduser()
    if path.is_file() and not is_image_path(path):
        return VideoSource(path)
    if path.is_file() or path.is_dir() or any(ch in text for ch in "*?["):
        found = list(iter_image_paths([path if path.exists() else text]))
        if len(found) == 1 and isinstance(found[0], ImageReadError):
            raise SourceError(f"{text}: {found[0]}")
        label = path.name if path.is_file() else text
        return ImageFolderSource([p for p in found if isinstance(p, Path)], label, fps=fps, decode_to=decode_to)
    raise SourceError(f"no such file: {text}")


def open_capture(spec: str | int | os.PathLike[str], pace: bool = True, fps: float | None = None,
                 retry: RetryPolicy | None = None, on_event: EventCallback | None = None,
                 capacity: int = 4, decode_to: int = 0) -> Capture:
    """A Capture for ``spec`` (see ``make_source``), not yet started.

    ``pace``: play clips and folders at their frame rate (``fps`` overrides it; folders default
    to 2 fps) with a newest-frame-wins buffer, like a camera; ``pace=False`` delivers every frame
    as fast as the consumer takes them. Cameras and streams are always live.
    """
    return Capture(make_source(spec, fps=fps, decode_to=decode_to), pace=pace, fps=fps, retry=retry, on_event=on_event,
                   capacity=capacity)
