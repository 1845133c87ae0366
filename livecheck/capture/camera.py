"""A local camera by index (``/dev/videoN``, a webcam), through OpenCV's default backend."""
from __future__ import annotations

import cv2

from livecheck.capture.base import Read, ReadStatus, Source
from livecheck.capture.events import SourceError
from livecheck.imageio import to_bgr8


class CameraSource(Source):
    live = True

    def __init__(self, index: int, fps: float | None = None) -> None:
        if index < 0:  # checked before OpenCV sees it: VideoCapture(-1) crashes the process
            raise SourceError(f"camera index must be 0 or more, not {index}")
        self.index = index
        self._requested_fps = fps
        self._cap: cv2.VideoCapture | None = None
        self._size = (0, 0)
        self._fps: float | None = None
        self._first: Read | None = None

    @property
    def description(self) -> str:
        if not self._size[0]:
            return f"camera {self.index}"  # not opened yet
        fps = f" @ {self._fps:g} fps" if self._fps else ""
        return f"camera {self.index} ({self._size[0]}x{self._size[1]}{fps})"

    @property
    def nominal_fps(self) -> float | None:
        return self._fps

    def open(self) -> None:
        cap = cv2.VideoCapture(self.index)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"no camera at index {self.index} — try a clip or folder instead "
                              "(`livecheck run --source FILE`, `livecheck replay FILE`), "
                              "or run `livecheck` for the demo clip")
        if self._requested_fps:
            cap.set(cv2.CAP_PROP_FPS, self._requested_fps)
        ok, image = cap.read()  # some backends open a device that never delivers: find out now
        if not ok or image is None:
            cap.release()
            raise SourceError(f"camera {self.index} opened but gives no picture (in use by another program?)")
        fps = cap.get(cv2.CAP_PROP_FPS)
        self._fps = fps if 0 < fps <= 1000 else None
        self._size = (image.shape[1], image.shape[0])
        self._first = Read(ReadStatus.FRAME, to_bgr8(image))
        self._cap = cap

    def read(self) -> Read:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        assert self._cap is not None, "read() before open()"
        ok, image = self._cap.read()
        if not ok or image is None:
            return Read(ReadStatus.LOST, message=f"camera {self.index} stopped sending frames")
        return Read(ReadStatus.FRAME, to_bgr8(image))

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        self._first = None
