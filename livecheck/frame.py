"""The unit that travels from a capture thread through the ring buffer to the analysis worker."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Frame:
    """One captured picture.

    ``image`` is always BGR uint8, shape (H, W, 3), C-contiguous: capture sources convert grey,
    BGRA and 16-bit input before a frame is made, so the hot path never has to.
    """

    seq: int
    """Sequence number given by the capture source, starting at 0, with no gaps (drops happen later)."""
    t_capture: float
    """``time.monotonic()`` when the frame was read."""
    t_media: float
    """Position in the source in seconds: frame index / fps for clips, time since start for cameras."""
    image: np.ndarray

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])
