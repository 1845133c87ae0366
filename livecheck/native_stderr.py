"""Catching what native libraries print straight to file descriptor 2.

libjpeg, libpng and TFLite write to fd 2 from C, past Python's ``sys.stderr``: libjpeg's warnings
are the only sign that a JPEG decoded with garbage blocks, and TFLite announces every model it
loads ("INFO: Created TensorFlow Lite XNNPACK delegate for CPU."). ``native_messages`` redirects
fd 2 for the duration of one call, hands back the lines that match ``pattern`` and passes every
other line on (another thread may print meanwhile), so nothing else is lost.
"""
from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator

_lock = threading.Lock()


@contextlib.contextmanager
def native_messages(pattern: re.Pattern[str]) -> Iterator[list[str]]:
    """Collect the lines written to fd 2 inside the block that match ``pattern`` (stripped)."""
    messages: list[str] = []
    with _lock, tempfile.TemporaryFile() as sink:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield messages
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        sink.seek(0)
        others: list[str] = []
        for line in sink.read().decode("utf-8", "replace").splitlines():
            (messages if pattern.match(line) else others).append(line.strip())
        if others:
            os.write(2, ("\n".join(others) + "\n").encode())
