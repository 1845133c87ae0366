"""Small JPEGs of the frames where the hints changed, and images turned into data: URIs.

``livecheck replay --thumbs DIR`` writes ``DIR/frame_000123.jpg`` (:func:`thumb_name`) for the
first frame and for every frame whose debounced hints differ from the frame before;
``livecheck report --thumbs DIR`` finds them by the same name. The JSON lines stay as they are.
"""
from __future__ import annotations

import base64
from pathlib import Path

import cv2
import numpy as np

from livecheck.hint import Hint
from livecheck.result import FrameResult

THUMB_SIDE = 320
"""Long side of a thumbnail in pixels (a report shows them at about half that, sharp on HiDPI)."""
JPEG_QUALITY = 80


def thumb_name(frame: int) -> str:
    return f"frame_{frame:06d}.jpg"


def shrink(image: np.ndarray, side: int = THUMB_SIDE) -> np.ndarray:
    """``image`` fitted to a long side of ``side`` pixels (never enlarged)."""
    h, w = image.shape[:2]
    scale = side / max(h, w)
    if scale >= 1.0:
        return image
    return cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def jpeg_bytes(image: np.ndarray, side: int = THUMB_SIDE) -> bytes:
    ok, data = cv2.imencode(".jpg", shrink(image, side), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("could not encode a JPEG thumbnail")
    return data.tobytes()


def data_uri(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


class ThumbWriter:
    """Writes a thumbnail whenever a result's debounced hints differ from the previous result's.

    The results must carry their image (``PipelineConfig.keep_images``). With ``folder`` None it
    writes nothing, so a caller can always hand it every result.
    """

    def __init__(self, folder: Path | None) -> None:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._last: frozenset[Hint] | None = None

    def add(self, result: FrameResult) -> None:
        if self.folder is None or result.hints == self._last:
            return
        self._last = result.hints
        if result.image is None:
            raise ValueError("--thumbs needs the frames' images (keep_images)")
        (self.folder / thumb_name(result.seq)).write_bytes(jpeg_bytes(result.image))
