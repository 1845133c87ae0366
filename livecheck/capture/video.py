"""A video file, decoded by OpenCV (FFmpeg). Undecodable frames in the middle are skipped and counted.

What OpenCV does with damaged frames (measured with MJPG .avi files, FFmpeg backend): a frame whose
data is gone entirely makes ``read()`` return False and the next ``read()`` carries on with the
following frame; a frame damaged inside its entropy-coded data is decoded with FFmpeg's error
concealment (smeared blocks) and returned as if it were fine, so it cannot be told apart here.
A False ``read()`` is therefore "end of file" only when no frame follows it.

Phones record portrait video as landscape frames plus a rotation flag in the container (.mov,
.mp4, .3gp); OpenCV's FFmpeg backend applies the flag when ``CAP_PROP_ORIENTATION_AUTO`` is on, so
it is switched on explicitly: the frames analysed and shown are upright, as a player shows them.
"""
from __future__ import annotations

from pathlib import Path

import cv2

from livecheck.capture.base import Read, ReadStatus, Source
from livecheck.capture.events import SourceError
from livecheck.imageio import to_bgr8

MAX_CONSECUTIVE_BAD = 50
"""Failed reads in a row taken as the end of the file rather than a damaged stretch."""


class VideoSource(Source):
    live = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cap: cv2.VideoCapture | None = None
        self._fps: float | None = None
        self._frame_count: int | None = None
        self._size = (0, 0)
        self._rotation = 0
        self._index = 0

    @property
    def description(self) -> str:
        if not self._size[0]:
            return f"video {self.path.name}"  # not opened yet
        fps = f" @ {self._fps:g} fps" if self._fps else ", frame rate unknown"
        count = f", {self._frame_count} frames" if self._frame_count else ""
        rotated = f", turned {self._rotation}° upright" if self._rotation else ""
        return f"video {self.path.name} ({self._size[0]}x{self._size[1]}{fps}{count}{rotated})"

    @property
    def nominal_fps(self) -> float | None:
        return self._fps

    @property
    def media_fps(self) -> float | None:
        return self._fps

    def open(self) -> None:
        if not self.path.is_file():
            raise SourceError(f"no such file: {self.path}")
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"cannot open {self.path}: not a video OpenCV can decode")
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        self._rotation = int(cap.get(cv2.CAP_PROP_ORIENTATION_META)) % 360
        fps = cap.get(cv2.CAP_PROP_FPS)
        self._fps = fps if 0 < fps <= 1000 else None
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self._frame_count = count if count > 0 else None
        self._size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self._index = 0
        self._cap = cap

    def read(self) -> Read:
        assert self._cap is not None, "read() before open()"
        bad: list[int] = []
        while True:
            index = self._index
            self._index += 1
            ok, image = self._cap.read()
            if ok and image is not None:
                return Read(ReadStatus.FRAME, to_bgr8(image), index=index, skipped=len(bad),
                            warnings=self._skip_warnings(bad))
            bad.append(index)
            past_end = self._frame_count is not None and index >= self._frame_count
            if past_end or len(bad) >= MAX_CONSECUTIVE_BAD:
                return Read(ReadStatus.END, message=self._end_message(first_unread=bad[0]))

    def _skip_warnings(self, bad: list[int]) -> tuple[str, ...]:
        if not bad:
            return ()
        which = f"frame {bad[0]}" if len(bad) == 1 else f"frames {bad[0]}-{bad[-1]}"
        return (f"{self.path.name}: {which} could not be decoded, skipped",)

    def _end_message(self, first_unread: int) -> str:
        if self._frame_count is not None and first_unread < self._frame_count - 1:
            return (f"{self.path.name}: no frame could be decoded after frame {first_unread} "
                    f"of {self._frame_count} (file truncated?)")
        return f"end of {self.path.name} ({first_unread} frames)"

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
