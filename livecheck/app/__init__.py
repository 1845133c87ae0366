"""The PyQt6 live view: the picture with hint badges, a quality meter, a HUD and a kiosk mode.

``run_app`` is imported on first use, so ``from livecheck.app import display_available`` (or
``livecheck.app.display``) stays free of Qt: headless code asks it first, because creating a
QApplication with nowhere to draw aborts the process.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from livecheck.app.display import display_available
from livecheck.app.options import AppOptions

if TYPE_CHECKING:
    from livecheck.app.controller import run_app

__all__ = ["AppOptions", "display_available", "run_app"]


def __getattr__(name: str) -> Any:
    if name == "run_app":
        from livecheck.app.controller import run_app

        return run_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
