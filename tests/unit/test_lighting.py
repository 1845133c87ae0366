"""backlit: a dark subject under a bright surround, told from a dark frame and a dark backdrop."""
from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
from support.media import scene

from livecheck.dev import viewscale
from livecheck.fastchecks import assess
from livecheck.hint import Hint
from livecheck.lighting import local_contrast
from livecheck.thresholds import PRESETS, Strictness, Thresholds

ON = dataclasses.replace(Thresholds(), disabled=frozenset())  # backlit and low_contrast are opt-in


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


# --- low_contrast: a veil of light (haze, fog, dirty glass) -----------------------------------------

def veiled(img: np.ndarray, t: float, airlight: float = 0.9, auto_exposure: bool = False) -> np.ndarray:
    """The atmospheric scattering model in linear light: ``J t + A (1 - t)``."""
    lin = viewscale.to_linear(img) * t + airlight * (1.0 - t)
    if auto_exposure:
        lin *= 0.18 / float(lin.mean())
    return viewscale.to_srgb8(lin)


@pytest.mark.parametrize("auto_exposure", [False, True])
@pytest.mark.parametrize("size", [(640, 480), (1920, 1080)])
def test_a_veiled_scene_has_low_contrast_whatever_its_exposure(size: tuple[int, int], auto_exposure: bool) -> None:
    clear = assess(scene(*size), ON)
    hazy = assess(veiled(scene(*size), 0.4, auto_exposure=auto_exposure), ON)
    assert Hint.LOW_CONTRAST not in clear.hints and Hint.LOW_CONTRAST in hazy.hints
    # every local contrast shrinks by the veil's own factor (t / (t + 2A(1 - t)) for a black-white edge, less
    # for the scene's softer ones), while the exposure does not change it
    assert hazy.metrics.local_contrast < 0.5 * clear.metrics.local_contrast


def test_a_dark_flat_frame_is_not_veiled() -> None:
    dark = (scene(1280, 720).astype(np.float32) * 0.2 + 10).astype(np.uint8)  # flat and dim, blacks kept
    result = assess(dark, ON)
    assert Hint.LOW_CONTRAST not in result.hints


def test_low_contrast_is_off_unless_asked_for() -> None:
    hazy = veiled(scene(1280, 720), 0.4)
    assert Hint.LOW_CONTRAST not in assess(hazy).hints
    assert Hint.LOW_CONTRAST in assess(hazy, PRESETS[Strictness.STRICT]).hints


def test_local_contrast_reads_a_sharp_black_white_edge_as_full_and_a_grey_frame_as_none() -> None:
    edge = np.zeros((144, 256), np.uint8)
    edge[:, 128:] = 255
    for x in range(0, 256, 16):  # edges all over, so the 90th percentile lands on one
        edge[:, x:x + 8] = 255 - edge[:, x:x + 8]
    assert local_contrast(edge) == pytest.approx(1.0, abs=0.01)
    assert local_contrast(np.full((144, 256), 128, np.uint8)) == 0.0
