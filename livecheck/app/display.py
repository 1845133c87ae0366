"""Can a QApplication be created here without Qt aborting the whole process?"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def display_available() -> bool:
    """True if Qt has somewhere to draw.

    With no ``DISPLAY``/``WAYLAND_DISPLAY`` and no ``QT_QPA_PLATFORM``, Qt's xcb plugin calls
    ``abort()`` when a QApplication is created, which no Python code can catch, so callers check
    first and fall back to headless output. A local X display (``:N``) must also have its socket.
    """
    if os.environ.get("QT_QPA_PLATFORM"):
        return True  # the user chose a platform plugin (offscreen, xcb, wayland, ...)
    if sys.platform == "darwin" or sys.platform.startswith("win"):
        return True
    if os.environ.get("WAYLAND_DISPLAY"):
        return True
    display = os.environ.get("DISPLAY", "")
    if not display:
        return False
    host, _, rest = display.rpartition(":")
    if host not in ("", "unix"):
        return True  # remote X (ssh -X): cannot check cheaply, trust it
    number = rest.split(".", 1)[0]
    return number.isdigit() and Path(f"/tmp/.X11-unix/X{number}").exists()
