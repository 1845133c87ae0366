"""A tiny MJPEG-over-HTTP server on 127.0.0.1: a stand-in for a network camera in tests.

``MjpegServer`` serves ``multipart/x-mixed-replace`` JPEG frames at a fixed rate on an ephemeral
port. ``stop()`` also cuts the open client connections (a camera losing power, not one that
merely stops accepting), and ``start()`` again re-binds the same port, so a test can kill a
stream mid-flight and bring it back.
"""
from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import BinaryIO

import cv2
import numpy as np

BOUNDARY = "livecheckframe"
STREAM_PATH = "/stream.mjpg"


def numbered_frame(index: int, size: tuple[int, int] = (160, 120)) -> np.ndarray:
    """A BGR test picture whose grey level and printed number change with ``index``."""
    width, height = size
    image = np.full((height, width, 3), (index * 7) % 200 + 30, np.uint8)
    cv2.putText(image, str(index), (8, height // 2), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (255, 255, 255), 2)
    return image


class MjpegServer:
    """Serves ``frame_source(i)`` as an MJPEG stream at ``fps`` on ``http://127.0.0.1:<port>``."""

    def __init__(self, fps: float = 30.0, frame_source: Callable[[int], np.ndarray] = numbered_frame,
                 port: int = 0) -> None:
        self.fps = fps
        self._frame_source = frame_source
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._running = threading.Event()
        self.stalled = threading.Event()
        """Set: keep connections open but send nothing (a frozen camera)."""
        self._clients: set[socket.socket] = set()
        self._clients_lock = threading.Lock()
        self.frames_sent = 0

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}{STREAM_PATH}"

    def start(self) -> MjpegServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path != STREAM_PATH:
                    self.send_error(404)
                    return
                with server._clients_lock:
                    server._clients.add(self.connection)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
                    self.send_header("Cache-Control", "no-cache")
                    self.end_headers()
                    server._stream_to(self.wfile)
                except OSError:
                    pass  # the client went away or stop() cut the connection
                finally:
                    with server._clients_lock:
                        server._clients.discard(self.connection)

        ThreadingHTTPServer.allow_reuse_address = True
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._httpd.daemon_threads = True
        self._port = self._httpd.server_address[1]
        self._running.set()
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="mjpeg-server", daemon=True)
        self._thread.start()
        return self

    def _stream_to(self, wfile: BinaryIO) -> None:
        period = 1.0 / self.fps
        next_due = time.monotonic()
        index = 0
        while self._running.is_set():
            if self.stalled.is_set():
                time.sleep(0.01)
                next_due = time.monotonic()
                continue
            ok, jpeg = cv2.imencode(".jpg", self._frame_source(index))
            assert ok
            payload = jpeg.tobytes()
            wfile.write(f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(payload)}\r\n\r\n"
                        .encode("ascii") + payload + b"\r\n")
            wfile.flush()
            self.frames_sent += 1
            index += 1
            next_due += period
            time.sleep(max(0.0, next_due - time.monotonic()))

    def stop(self) -> None:
        """Stop accepting, cut every open stream, free the port (idempotent)."""
        self._running.clear()
        if self._httpd is None:
            return
        self._httpd.shutdown()
        with self._clients_lock:
            for connection in self._clients:
                with contextlib.suppress(OSError):  # already closed by the client
                    connection.shutdown(socket.SHUT_RDWR)
            self._clients.clear()
        self._httpd.server_close()
        assert self._thread is not None
        self._thread.join(timeout=2)
        self._httpd = None

    def __enter__(self) -> MjpegServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # a manual check: python -m livecheck.dev.mjpeg_server, then open the URL
    with MjpegServer() as srv:
        print(srv.url, flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
