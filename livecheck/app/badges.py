"""Hint badges: a coloured pill per hint with a drawn icon and an action in plain words.

Badges follow the DEBOUNCED hint set (``FrameResult.hints``) and fade in and out (see fade.py).
Icons are painted, not font glyphs, so they look the same everywhere.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

from PyQt6.QtCore import QPointF, QRectF, QSize, Qt
from PyQt6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPen
from PyQt6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from livecheck.app.fade import FadingWidget
from livecheck.hint import BLUR_KIND_ACTIONS, HINT_SPECS, Hint, HintSpec, Icon
from livecheck.sharpness import BlurKind

IconPainter = Callable[[QPainter, QRectF, QColor], None]


@dataclass(frozen=True, slots=True)
class BadgeStyle:
    title: str
    action: str
    colour: QColor
    text_colour: QColor

    @property
    def text(self) -> str:
        return f"{self.title}: {self.action}" if self.action else self.title


_WHITE = QColor(255, 255, 255)
_INK = QColor(25, 25, 25)


def _hint_style(spec: HintSpec) -> BadgeStyle:
    r, g, b = spec.colour
    luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255.0  # Rec. 709
    # dark ink on a light pill (the yellow of too_bright), white on the others
    return BadgeStyle(spec.title, spec.action, QColor(r, g, b), _INK if luminance > 0.5 else _WHITE)


HINT_STYLES: dict[Hint, BadgeStyle] = {hint: _hint_style(spec) for hint, spec in HINT_SPECS.items()}
LOOKS_GOOD = BadgeStyle("Looks good", "", QColor(38, 150, 74), _WHITE)


def _paint_sun(p: QPainter, r: QRectF, ink: QColor) -> None:
    c, radius = r.center(), r.width() * 0.22
    p.setBrush(ink)
    p.drawEllipse(c, radius, radius)
    p.setPen(QPen(ink, max(1.5, r.width() * 0.08), cap=Qt.PenCapStyle.RoundCap))
    for i in range(8):
        a = i * math.pi / 4
        inner, outer = r.width() * 0.32, r.width() * 0.46
        p.drawLine(QPointF(c.x() + inner * math.cos(a), c.y() + inner * math.sin(a)),
                   QPointF(c.x() + outer * math.cos(a), c.y() + outer * math.sin(a)))


def _paint_moon(p: QPainter, r: QRectF, ink: QColor) -> None:
    c, radius = r.center(), r.width() * 0.4
    disc = QPainterPath()
    disc.addEllipse(c, radius, radius)
    bite = QPainterPath()
    bite.addEllipse(QPointF(c.x() + radius * 0.55, c.y() - radius * 0.35), radius * 0.85, radius * 0.85)
    p.setBrush(ink)
    p.drawPath(disc.subtracted(bite))


def _paint_blur(p: QPainter, r: QRectF, ink: QColor) -> None:
    c, radius = r.center(), r.width() * 0.3
    for dx, alpha in ((-0.12, 110), (0.12, 255)):
        pen_colour = QColor(ink)
        pen_colour.setAlpha(alpha)
        p.setPen(QPen(pen_colour, max(1.5, r.width() * 0.09)))
        p.drawEllipse(QPointF(c.x() + dx * r.width(), c.y()), radius, radius)


def _paint_noise(p: QPainter, r: QRectF, ink: QColor) -> None:
    p.setBrush(ink)
    cell = r.width() / 5
    dot = cell * 0.32
    for i in range(5):
        for j in range(5):
            if (i * 7 + j * 3 + i * j) % 3:  # a fixed, irregular-looking pattern
                p.drawEllipse(QPointF(r.left() + (i + 0.5) * cell, r.top() + (j + 0.5) * cell), dot, dot)


def _paint_check(p: QPainter, r: QRectF, ink: QColor) -> None:
    p.setPen(QPen(ink, max(2.0, r.width() * 0.13), cap=Qt.PenCapStyle.RoundCap,
                  join=Qt.PenJoinStyle.RoundJoin))
    path = QPainterPath(QPointF(r.left() + r.width() * 0.18, r.top() + r.height() * 0.52))
    path.lineTo(r.left() + r.width() * 0.42, r.top() + r.height() * 0.76)
    path.lineTo(r.left() + r.width() * 0.84, r.top() + r.height() * 0.26)
    p.drawPath(path)


def _paint_backlight(p: QPainter, r: QRectF, ink: QColor) -> None:
    # a sun behind a figure: a ring of light, the figure's head and shoulders in front of it
    c = r.center()
    p.setPen(QPen(ink, max(1.5, r.width() * 0.08)))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(QPointF(c.x(), c.y() - r.height() * 0.1), r.width() * 0.36, r.width() * 0.36)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(ink)
    p.drawEllipse(QPointF(c.x(), c.y() - r.height() * 0.08), r.width() * 0.14, r.width() * 0.14)
    p.drawRoundedRect(QRectF(c.x() - r.width() * 0.26, c.y() + r.height() * 0.1, r.width() * 0.52,
                             r.height() * 0.38), r.width() * 0.12, r.width() * 0.12)


def _paint_shake(p: QPainter, r: QRectF, ink: QColor) -> None:
    # a camera body with motion lines trailing behind it
    w, h = r.width(), r.height()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(ink)
    body = QRectF(r.left() + w * 0.38, r.top() + h * 0.3, w * 0.54, h * 0.42)
    p.drawRoundedRect(body, w * 0.08, w * 0.08)
    p.drawRect(QRectF(body.left() + w * 0.1, body.top() - h * 0.1, w * 0.16, h * 0.1))
    p.setPen(QPen(ink, max(1.5, w * 0.08), cap=Qt.PenCapStyle.RoundCap))
    for dy, length in ((0.36, 0.22), (0.51, 0.3), (0.66, 0.22)):
        y = r.top() + h * dy
        p.drawLine(QPointF(r.left() + w * (0.32 - length), y), QPointF(r.left() + w * 0.3, y))


def _paint_haze(p: QPainter, r: QRectF, ink: QColor) -> None:
    # a sun half hidden by bands of mist
    w, h = r.width(), r.height()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(ink)
    p.drawEllipse(QPointF(r.left() + w * 0.5, r.top() + h * 0.38), w * 0.22, w * 0.22)
    p.setPen(QPen(ink, max(1.5, w * 0.09), cap=Qt.PenCapStyle.RoundCap))
    for dy, x0, x1 in ((0.62, 0.14, 0.86), (0.8, 0.26, 0.74)):
        p.drawLine(QPointF(r.left() + w * x0, r.top() + h * dy), QPointF(r.left() + w * x1, r.top() + h * dy))


ICON_PAINTERS: dict[Icon, IconPainter] = {
    Icon.BLUR: _paint_blur,
    Icon.MOON: _paint_moon,
    Icon.SUN: _paint_sun,
    Icon.GRAIN: _paint_noise,
    Icon.BACKLIGHT: _paint_backlight,
    Icon.SHAKE: _paint_shake,
    Icon.HAZE: _paint_haze,
}


class Badge(FadingWidget):
    """One pill with an icon and its text."""

    def __init__(self, style: BadgeStyle, icon: IconPainter, scale: float = 1.0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.badge_style = style
        self._icon = icon
        self._font = QFont()
        self._font.setPointSizeF(13.0 * scale)
        self._font.setBold(True)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_style(self, style: BadgeStyle) -> None:
        if style != self.badge_style:
            self.badge_style = style
            self.updateGeometry()
            self.update()

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self._font)
        h = int(fm.height() * 2.0)
        return QSize(h + fm.horizontalAdvance(self.badge_style.text) + h // 2, h)

    def paintEvent(self, event: QPaintEvent | None) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setOpacity(self.opacity)
        r = QRectF(self.rect())
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self.badge_style.colour)
        p.drawRoundedRect(r, r.height() / 2, r.height() / 2)
        icon_box = r.height() * 0.56
        icon_rect = QRectF(r.height() * 0.3, (r.height() - icon_box) / 2, icon_box, icon_box)
        p.save()
        self._icon(p, icon_rect, self.badge_style.text_colour)
        p.restore()
        p.setPen(self.badge_style.text_colour)
        p.setFont(self._font)
        text_rect = r.adjusted(r.height() * 0.3 + icon_box * 1.35, 0, 0, 0)
        p.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                   self.badge_style.text)
        p.end()


class BadgeColumn(QWidget):
    """All hint badges plus the calm "Looks good" one, stacked top-left over the picture."""

    def __init__(self, scale: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(int(16 * scale), int(16 * scale), 0, 0)
        layout.setSpacing(int(8 * scale))
        self.badges: dict[Hint, Badge] = {}
        for hint in Hint:
            badge = Badge(HINT_STYLES[hint], ICON_PAINTERS[HINT_SPECS[hint].icon], scale, self)
            self.badges[hint] = badge
            layout.addWidget(badge, alignment=Qt.AlignmentFlag.AlignLeft)
        self.looks_good = Badge(LOOKS_GOOD, _paint_check, scale, self)
        layout.addWidget(self.looks_good, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def set_hints(self, hints: frozenset[Hint], blur_kind: BlurKind | None = None) -> None:
        """Show the badges of ``hints``; the blurry one says what to do about ``blur_kind`` (and keeps
        its words while it fades out)."""
        if Hint.BLURRY in hints:
            blurry = HINT_STYLES[Hint.BLURRY]
            action = BLUR_KIND_ACTIONS[blur_kind] if blur_kind is not None else blurry.action
            self.badges[Hint.BLURRY].set_style(dataclasses.replace(blurry, action=action))
        for hint, badge in self.badges.items():
            badge.set_active(hint in hints)
        self.looks_good.set_active(not hints)

    def active_hints(self) -> frozenset[Hint]:
        return frozenset(h for h, b in self.badges.items() if b.active)
