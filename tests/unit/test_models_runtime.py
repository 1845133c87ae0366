"""The .tflite runner behind NIMA and DIQA: model view, backends agreeing, unusable files."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from livecheck.models import ModelName, ModelUnavailable, load_model
from livecheck.models.runtime import Backend, TfliteRunner, model_view, weights_path


def test_model_view_is_central_square_rgb() -> None:
    frame = np.zeros((1080, 1920, 3), np.uint8)
    frame[:, :, 0] = 255  # blue in BGR
    frame[540 - 256:540 + 256, 960 - 256:960 + 256, 2] = 200  # red square exactly the view
    view = model_view(frame, 224)
    assert view.shape == (224, 224, 3) and view.flags.c_contiguous
    assert np.all(view[:, :, 0] == 200) and np.all(view[:, :, 2] == 255)


def test_model_view_small_frame_uses_short_side() -> None:
    frame = np.random.default_rng(0).integers(0, 255, (120, 200, 3), dtype=np.uint8)
    assert model_view(frame, 224).shape == (224, 224, 3)
    with pytest.raises(ValueError, match="BGR uint8"):
        model_view(frame[:, :, 0], 224)


@pytest.mark.parametrize("name", [ModelName.NIMA, ModelName.DIQA])
def test_missing_model_file_is_one_line_error(name: ModelName, tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable) as info:
        load_model(name, weights_dir=tmp_path)
    assert "cannot be read" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("name", [ModelName.NIMA, ModelName.DIQA])
def test_truncated_model_file_is_one_line_error(name: ModelName, tmp_path: Path) -> None:
    data = weights_path(f"{name}.tflite").read_bytes()
    (tmp_path / f"{name}.tflite").write_bytes(data[: len(data) // 3])
    with pytest.raises(ModelUnavailable) as info:
        load_model(name, weights_dir=tmp_path)
    assert f"{name}.tflite" in str(info.value) and "\n" not in str(info.value)


def test_junk_model_file_is_rejected(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(b"not a flatbuffer at all" * 10)
    with pytest.raises(ModelUnavailable, match="not a TFLite model"):
        TfliteRunner(junk, 224)


@pytest.mark.parametrize("file_name", ["nima.tflite", "diqa.tflite"])
def test_mediapipe_and_litert_agree(file_name: str) -> None:
    rgb = np.random.default_rng(1).integers(0, 255, (224, 224, 3), dtype=np.uint8)
    path = weights_path(file_name)
    outs = {}
    for backend in (Backend.MEDIAPIPE, Backend.LITERT):
        runner = TfliteRunner(path, 224, backends=(backend,))
        assert runner.backend is backend
        outs[backend] = runner.run(rgb)
        runner.close()
    np.testing.assert_allclose(outs[Backend.MEDIAPIPE], outs[Backend.LITERT], atol=1e-4)


def test_unavailable_backend_is_skipped_with_reason() -> None:
    with pytest.raises(ModelUnavailable, match="tflite-runtime"):
        TfliteRunner(weights_path("diqa.tflite"), 224, backends=(Backend.TFLITE_RUNTIME,))


def test_wrong_input_size_is_reported() -> None:
    with pytest.raises(ModelUnavailable, match="expected"):
        TfliteRunner(weights_path("diqa.tflite"), 160, backends=(Backend.LITERT,))
