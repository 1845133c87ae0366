"""A network stream (an MJPEG-over-HTTP or RTSP camera) through OpenCV's FFmpeg backend.

Opening and reading are bounded by FFmpeg timeouts so a dead camera cannot hang ``stop()`` for
long. Before OpenCV tries, a plain TCP connection to the host says *why* a camera is unreachable
(refused, timed out, unknown host), which OpenCV alone does not. The frame rate such streams
report is not to be trusted (an MJPEG stream reads as 25 fps whatever it sends), so none is given.
"""
from __future__ import annotations

import socket
from urllib.parse import urlsplit, urlunsplit

import cv2

from livecheck.capture.base import Read, ReadStatus, Source
from livecheck.capture.events import SourceError
from livecheck.imageio import to_bgr8

DEFAULT_PORTS = {"http": 80, "https": 443, "rtsp": 554, "rtsps": 322, "rtmp": 1935}


def redact(url: str) -> str:
    """The URL without a password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class StreamSource(Source):
    live = True

    def __init__(self, url: str, open_timeout_s: float = 5.0, read_timeout_s: float = 2.0) -> None:
        self.url = url
        self.open_timeout_s = open_timeout_s
        self.read_timeout_s = read_timeout_s
        self._cap: cv2.VideoCapture | None = None
        self._size = (0, 0)

    @property
    def description(self) -> str:
        size = f" ({self._size[0]}x{self._size[1]})" if self._size[0] else ""
        return f"stream {redact(self.url)}{size}"

    def open(self) -> None:
        self._check_reachable()
        cap = cv2.VideoCapture(self.url, cv2.CAP_FFMPEG, [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, int(self.open_timeout_s * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC, int(self.read_timeout_s * 1000),
        ])
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"cannot open {redact(self.url)}: the server answers, "
                              "but gives no video OpenCV can decode")
        self._size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self._cap = cap

    def _check_reachable(self) -> None:
        parts = urlsplit(self.url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
        if parts.hostname is None or port is None:
            return  # a scheme we know no port for (udp://, srt://...): let FFmpeg judge
        try:
            with socket.create_connection((parts.hostname, port), timeout=self.open_timeout_s):
                pass
        except socket.gaierror:
            raise SourceError(f"cannot reach {redact(self.url)}: unknown host {parts.hostname}") from None
        except TimeoutError:
            raise SourceError(f"cannot reach {redact(self.url)}: no answer within "
                              f"{self.open_timeout_s:g} s") from None
        except OSError as error:
            reason = (error.strerror or str(error)).lower()
            raise SourceError(f"cannot reach {redact(self.url)}: {reason}") from None

    def read(self) -> Read:
        assert self._cap is not None, "read() before open()"
        ok, image = self._cap.read()
        if not ok or image is None:
            return Read(ReadStatus.LOST, message=f"{redact(self.url)} stopped sending frames")
        return Read(ReadStatus.FRAME, to_bgr8(image))

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
