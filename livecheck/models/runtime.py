"""Running livecheck's own .tflite models: the shared input view and a runner with fallbacks.

Both learned models (NIMA, DIQA) look at the same *view* of a frame: the central square of the
frame, at most ``VIEW_MAX_SIDE`` px on a side, shrunk with ``cv2.INTER_AREA`` to the model's input
size. Squeezing a whole 1080p frame into 224 px would hide the fine noise and blur the models are
there to see; the central 512 px of a 1080p frame is shrunk only ~2.3x, about as much as the
training photos (320-512 px short side). Training (scripts/train_*.py) calls the same
:func:`model_view`, so training and run time see identical pixels.

The models take uint8 RGB ``[1, H, W, 3]`` and do their own normalisation, so no metadata is
needed. The runner tries ai-edge-litert's ``Interpreter`` (one thread), then MediaPipe Tasks'
``ImageEmbedder`` (which returns the raw output vector in index order), then ``tflite_runtime``.
"""
from __future__ import annotations

import importlib.resources
import re
from enum import Enum
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from livecheck.models.base import ModelUnavailable
from livecheck.native_stderr import native_messages

VIEW_MAX_SIDE = 512
_TFLITE_LOG = re.compile(r"(INFO|WARNING|ERROR): ")
_TFLITE_MAGIC = b"TFL3"


def model_view(bgr: np.ndarray, size: int) -> np.ndarray:
    """Central square (<= VIEW_MAX_SIDE px) of a BGR uint8 frame as ``size`` x ``size`` RGB uint8."""
    if bgr.dtype != np.uint8 or bgr.ndim != 3 or bgr.shape[2] != 3:
        raise ValueError(f"expected a BGR uint8 HxWx3 image, got {bgr.dtype} {bgr.shape}")
    h, w = bgr.shape[:2]
    side = min(h, w, VIEW_MAX_SIDE)
    y0, x0 = (h - side) // 2, (w - side) // 2
    crop = bgr[y0:y0 + side, x0:x0 + side]
    interp = cv2.INTER_AREA if side >= size else cv2.INTER_LINEAR
    small = cv2.resize(crop, (size, size), interpolation=interp)
    return np.ascontiguousarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB))


def view_description(size: int) -> str:
    """How :func:`model_view` sees a frame, in words, for the models' ``input``."""
    return f"central square of at most {VIEW_MAX_SIDE} px at native resolution, resized to {size}"


class Backend(str, Enum):
    """The runtimes, in the order they are tried.

    ai-edge-litert comes first: its ``Interpreter`` runs in the calling thread with one XNNPACK
    thread, so the model thread's lowered OS priority and a one-core share apply to the inference
    itself, and it imports in a fraction of MediaPipe's time (MediaPipe's import runs Python with
    the GIL held for long enough to stall the live view's start-up, and every ``score --jobs``
    worker would pay it again). The outputs are the same
    (tests/test_models_runtime.py); MediaPipe Tasks remains the fallback."""

    LITERT = "ai-edge-litert"
    MEDIAPIPE = "mediapipe"
    TFLITE_RUNTIME = "tflite-runtime"


def weights_path(file_name: str, weights_dir: Path | None = None) -> Path:
    """``weights_dir/file_name``, or the copy shipped in the ``livecheck.weights`` package."""
    if weights_dir is not None:
        return Path(weights_dir) / file_name
    return Path(str(importlib.resources.files("livecheck.weights").joinpath(file_name)))


def _check_model_file(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelUnavailable(f"model file {path} cannot be read ({exc.strerror or exc})") from exc
    if len(data) < 16 or data[4:8] != _TFLITE_MAGIC:
        raise ModelUnavailable(f"model file {path} is not a TFLite model (truncated or corrupt)")
    return data


class TfliteRunner:
    """One .tflite model with a uint8 ``[1, S, S, 3]`` input and one float output vector.

    Not thread-safe: call :meth:`run` from one thread (livecheck's model thread does).
    """

    def __init__(self, path: Path, input_size: int, backends: tuple[Backend, ...] = tuple(Backend),
                 num_threads: int = 1) -> None:
        self.path = Path(path)
        self.input_size = input_size
        self._data = _check_model_file(self.path)
        self._embedder: Any = None
        self._options: Any = None  # MediaPipe needs its options object kept alive
        self._interpreter: Any = None
        self._mp: Any = None
        reasons: list[str] = []
        for backend in backends:
            try:
                # TFLite announces each model on fd 2 and explains a failure there: keep both off
                # the user's terminal, and put the explanation into our one-line reason instead
                with native_messages(_TFLITE_LOG) as tflite_says:
                    self._open(backend, num_threads)
            except ImportError as exc:
                reasons.append(f"{backend.value}: not installed ({exc.name or exc})")
                continue
            except (RuntimeError, ValueError) as exc:
                first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                errors = [m for m in tflite_says if m.startswith("ERROR")]
                reasons.append(f"{backend.value}: {errors[0] if errors else first_line}")
                continue
            self.backend = backend
            break
        else:
            raise ModelUnavailable(f"cannot load {self.path.name}: " + "; ".join(reasons))
        self._check_output()

    def _open(self, backend: Backend, num_threads: int) -> None:
        if backend is Backend.MEDIAPIPE:
            import mediapipe as mp
            from mediapipe.tasks.python import BaseOptions, vision

            self._mp = mp
            self._options = vision.ImageEmbedderOptions(
                base_options=BaseOptions(model_asset_buffer=self._data),
                running_mode=vision.RunningMode.IMAGE, l2_normalize=False, quantize=False)
            self._embedder = vision.ImageEmbedder.create_from_options(self._options)
            return
        if backend is Backend.LITERT:
            from ai_edge_litert.interpreter import Interpreter
        else:
            from tflite_runtime.interpreter import Interpreter  # type: ignore[no-redef]
        interpreter = Interpreter(model_content=self._data, num_threads=num_threads)
        interpreter.allocate_tensors()
        shape = tuple(interpreter.get_input_details()[0]["shape"])
        if shape != (1, self.input_size, self.input_size, 3):
            raise ValueError(f"model input is {shape}, expected (1, {self.input_size}, {self.input_size}, 3)")
        self._interpreter = interpreter

    def _check_output(self) -> None:
        try:
            self.run(np.zeros((self.input_size, self.input_size, 3), np.uint8))
        except Exception as exc:  # a model that loads but cannot run is as unusable as a missing one
            self.close()
            raise ModelUnavailable(f"cannot run {self.path.name} with {self.backend.value}: {exc}") from exc

    def run(self, rgb: np.ndarray) -> np.ndarray:
        """Raw output vector (float32) for one ``input_size`` square RGB uint8 image."""
        if self._embedder is not None:
            image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
            result = self._embedder.embed(image)
            return np.asarray(result.embeddings[0].embedding, dtype=np.float32)
        if self._interpreter is None:
            raise RuntimeError(f"{self.path.name} runner is closed")
        inp = self._interpreter.get_input_details()[0]["index"]
        out = self._interpreter.get_output_details()[0]["index"]
        self._interpreter.set_tensor(inp, rgb[None])
        self._interpreter.invoke()
        return np.asarray(self._interpreter.get_tensor(out), dtype=np.float32).reshape(-1).copy()

    def close(self) -> None:
        if self._embedder is not None:
            self._embedder.close()
            self._embedder = None
        self._options = None
        self._interpreter = None
