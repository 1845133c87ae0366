"""The viewing-scale contract: blur and noise judged as the frame looks fitted to the view size."""
from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from support.media import add_noise, blur, scene

from livecheck import assess
from livecheck.cli import main
from livecheck.fastchecks import measure
from livecheck.hint import Hint
from livecheck.view import VIEW_SIZE, view_scale


@pytest.mark.parametrize(("shape", "scale", "binning"), [
    ((480, 640), 1.0, 1), ((1080, 1920), 1.0, 1), ((2160, 3840), 2.0, 2),
    ((3000, 4000), 4000 / 1920, 2), ((1536, 2048), 2048 / 1920, 1), ((1920, 1080), 1.0, 1),
])
def test_view_scale_fits_larger_frames_to_the_view_size(shape: tuple[int, int], scale: float,
                                                        binning: int) -> None:
    view = view_scale(shape)
    assert view.scale == pytest.approx(scale) and view.bin == binning
    assert view.pitch == pytest.approx(scale / binning)


def test_view_size_zero_judges_native_pixels_and_negative_is_refused() -> None:
    assert view_scale((3000, 4000), 0).scale == 1.0
    assert view_scale((3000, 4000), 4000).scale == 1.0
    with pytest.raises(ValueError, match="view size"):
        view_scale((10, 10), -1)


def _uhd_scene() -> np.ndarray:
    return scene(3840, 2160)


@pytest.mark.parametrize("view_sigma", [2.5, 4.0])
def test_a_4k_frame_blurred_at_viewing_scale_is_blurry(view_sigma: float) -> None:
    factor = 3840 / VIEW_SIZE
    assert Hint.BLURRY in assess(blur(_uhd_scene(), view_sigma * factor)).hints


def test_a_4k_frame_sharp_at_viewing_scale_is_not_blurry() -> None:
    factor = 3840 / VIEW_SIZE
    assert Hint.BLURRY not in assess(_uhd_scene()).hints
    assert Hint.BLURRY not in assess(blur(_uhd_scene(), 0.5 * factor)).hints


def test_pixel_peeping_judges_native_pixels() -> None:
    # Soft at 100% (sigma 2 native px) but crisp fitted to 1920 px (1 viewing px).
    soft = blur(_uhd_scene(), 2.0)
    assert Hint.BLURRY not in assess(soft).hints
    assert Hint.BLURRY in assess(soft, view_size=0).hints


def test_noise_is_read_at_viewing_scale() -> None:
    flat = np.full((2160, 3840, 3), 128, np.uint8)
    noisy = add_noise(flat, 8.0)  # white noise: sigma 4 once fitted to 1920 px
    assert measure(noisy).colour_noise == pytest.approx(4.0, rel=0.15)
    assert measure(noisy, view_size=0).colour_noise == pytest.approx(8.0, rel=0.15)
    assert measure(add_noise(flat, 2.0)).colour_noise < 1.5  # sigma 1 at viewing scale


def test_score_takes_view_size(tmp_path, capsys) -> None:
    path = tmp_path / "soft.png"
    cv2.imwrite(str(path), blur(_uhd_scene(), 2.0))
    assert main(["score", "--json", "--no-models", str(path)]) == 0
    fitted = json.loads(capsys.readouterr().out)
    assert main(["score", "--json", "--no-models", "--view-size", "0", str(path)]) == 0
    native = json.loads(capsys.readouterr().out)
    assert "blurry" not in fitted["hints"] and "blurry" in native["hints"]
    assert native["metrics"]["sharpness"] < fitted["metrics"]["sharpness"]


def test_score_refuses_a_negative_view_size(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["score", "--no-models", "--view-size", "-5", "x.png"])
    assert exit_info.value.code == 2
    assert "--view-size" in capsys.readouterr().err


@pytest.mark.parametrize("shape", [(1, 5000, 3), (5000, 1, 3), (9, 7000, 3)])
def test_a_strip_too_thin_for_a_viewing_scale_tile_is_not_judged_blurry(shape: tuple[int, ...]) -> None:
    strip = np.random.default_rng(0).integers(0, 255, shape, dtype=np.uint8)
    result = assess(strip)
    assert Hint.BLURRY not in result.hints
    assert result.metrics.edge_strength == 0.0
