"""A clean test photo for the model tests (a shared pristine photo; skips when ../shared is absent)."""
from __future__ import annotations

import numpy as np
import pytest

from livecheck.dev import distortions


def clean_photo() -> np.ndarray:
    path = distortions.default_shared_root() / "data" / "pristine" / "Kodak24" / "kodim23.png"
    if not path.exists():
        pytest.skip(f"../shared/data not found: {path}")
    return distortions.load_photo(path)


def degraded(kind: str, level: float) -> np.ndarray:
    return distortions.distort(clean_photo(), kind, level, np.random.default_rng(0))


def textured_frame(h: int = 720, w: int = 1280) -> np.ndarray:
    """A synthetic BGR frame (gradient + noise) for tests that only check output ranges."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = 110 + 60 * np.sin(xx / 37.0) * np.cos(yy / 53.0)
    return np.clip(base[:, :, None] + rng.normal(0, 12, (h, w, 3)), 0, 255).astype(np.uint8)
