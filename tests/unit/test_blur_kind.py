"""blur_kind: a blurry frame says whether the camera moved (motion) or the focus missed (focus)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from support.media import scene

from livecheck.fastchecks import assess
from livecheck.hint import BLUR_KIND_ACTIONS, Hint
from livecheck.sharpness import BlurKind, blur_kind, direction_spread


def streak(img: np.ndarray, length: int, angle_deg: float) -> np.ndarray:
    kernel = np.zeros((length, length), np.float32)
    c = (length - 1) / 2
    dx, dy = np.cos(np.radians(angle_deg)) * c, np.sin(np.radians(angle_deg)) * c
    cv2.line(kernel, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1, cv2.LINE_AA)
    return cv2.filter2D(img, -1, kernel / kernel.sum())


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
@pytest.mark.parametrize("angle", [0.0, 30.0, 90.0, 135.0])
def test_a_streak_is_motion_blur(size: tuple[int, int], angle: float) -> None:
    result = assess(streak(scene(*size), 15, angle))
    assert Hint.BLURRY in result.hints
    assert result.blur_kind is BlurKind.MOTION, result.metrics.blur_spread


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
@pytest.mark.parametrize("sigma", [3.0, 6.0])
def test_an_even_blur_is_missed_focus(size: tuple[int, int], sigma: float) -> None:
    result = assess(cv2.GaussianBlur(scene(*size), (0, 0), sigma))
    assert Hint.BLURRY in result.hints
    assert result.blur_kind is BlurKind.FOCUS, result.metrics.blur_spread


def test_a_sharp_frame_has_no_blur_kind() -> None:
    result = assess(scene())
    assert Hint.BLURRY not in result.hints and result.blur_kind is None


def test_direction_spread_counts_an_unjudged_direction_as_the_most_smeared() -> None:
    assert direction_spread(np.array([2.0, 2.0, 2.0, 2.0])) == 0.0
    assert direction_spread(np.array([3.0, 1.5, 2.0, 2.0])) == pytest.approx(1.0)
    assert direction_spread(np.array([1.5, np.nan, np.nan, np.nan])) == pytest.approx(2.0)
    assert direction_spread(np.full(4, np.nan)) == 0.0
    assert blur_kind(0.5, 0.22) is BlurKind.MOTION and blur_kind(0.1, 0.22) is BlurKind.FOCUS


def test_each_kind_has_its_own_badge_words() -> None:
    assert BLUR_KIND_ACTIONS == {BlurKind.MOTION: "hold still", BlurKind.FOCUS: "tap to focus"}
