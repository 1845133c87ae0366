"""A widget that fades in and out; subclasses paint with ``painter.setOpacity(self.opacity)``."""
from __future__ import annotations

from PyQt6.QtCore import QEasingCurve, QPropertyAnimation, Qt, pyqtProperty
from PyQt6.QtWidgets import QWidget

FADE_MS = 250


class FadingWidget(QWidget):
    """``set_active`` animates opacity from wherever it is now, so a quick on-off-on never jumps.

    Fully faded-out widgets hide themselves (layouts then close the gap).
    """

    def __init__(self, parent: QWidget | None = None, fade_ms: int = FADE_MS) -> None:
        super().__init__(parent)
        self._opacity = 0.0
        self._active = False
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._anim = QPropertyAnimation(self, b"opacity", self)
        self._anim.setDuration(fade_ms)
        self._anim.setEasingCurve(QEasingCurve.Type.InOutQuad)
        self.hide()

    def _get_opacity(self) -> float:
        return self._opacity

    def _set_opacity(self, value: float) -> None:
        self._opacity = value
        if value <= 0.0 and not self._active:
            self.hide()
        self.update()

    opacity = pyqtProperty(float, fget=_get_opacity, fset=_set_opacity)

    @property
    def active(self) -> bool:
        return self._active

    def set_active(self, active: bool) -> None:
        if active == self._active:
            return
        self._active = active
        self._anim.stop()
        if active:
            self.show()
        self._anim.setStartValue(self._opacity)
        self._anim.setEndValue(1.0 if active else 0.0)
        self._anim.start()
