"""backlit: a dark subject under a bright surround, told from a dark frame and a dark backdrop."""
from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
from support.media import scene

from livecheck.fastchecks import assess
from livecheck.hint import Hint
from livecheck.thresholds import Thresholds

ON = dataclasses.replace(Thresholds(), disabled=frozenset())  # backlit is opt-in


def backlit(width: int = 1280, height: int = 720) -> np.ndarray:
    """A bright sky over a subject and foreground in their own shadow."""
    img = (scene(width, height).astype(np.float32) * 0.25).astype(np.uint8)  # the scene, 2 stops under
    img[: height * 2 // 5] = (250, 235, 225)  # the sky
    cv2.circle(img, (width // 2, height // 2), height // 4, (20, 18, 16), -1)  # a figure against it
    return img


@pytest.mark.parametrize("size", [(640, 480), (1920, 1080), (4000, 3000)])
def test_a_dark_subject_under_a_bright_sky_is_backlit(size: tuple[int, int]) -> None:
    result = assess(backlit(*size), ON)
    assert Hint.BACKLIT in result.hints and Hint.TOO_DARK not in result.hints


def test_backlit_is_off_unless_asked_for() -> None:
    assert Hint.BACKLIT not in assess(backlit()).hints


def test_a_bright_subject_before_a_dark_backdrop_is_not_backlit() -> None:
    # A studio portrait: the backdrop above and around a lit head and shoulders. (A lit subject
    # filling the middle with the backdrop only at its sides reads level, dark_below about -0.1:
    # the measure's blind side, see README.)
    img = np.full((720, 1280, 3), 12, np.uint8)
    cv2.ellipse(img, (640, 430), (170, 210), 0, 0, 360, (200, 215, 235), -1)  # the face
    cv2.ellipse(img, (640, 760), (420, 170), 0, 0, 360, (190, 200, 220), -1)  # the shoulders
    assert Hint.BACKLIT not in assess(img, ON).hints


def test_a_dark_frame_is_too_dark_not_backlit() -> None:
    hints = assess((backlit() * 0.15).astype(np.uint8), ON).hints
    assert Hint.TOO_DARK in hints and Hint.BACKLIT not in hints


def test_a_well_lit_scene_is_not_backlit() -> None:
    assert Hint.BACKLIT not in assess(scene(1280, 720), ON).hints
