"""A clean test photo for the model tests: a shared pristine photo when present, else synthetic."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import distortions  # noqa: E402


def clean_photo() -> np.ndarray:
    root = distortions.default_shared_root() / "data" / "pristine" / "Kodak24" / "kodim23.png"
    if root.exists():
        return distortions.load_photo(root)
    rng = np.random.default_rng(0)
    base = rng.normal(128, 40, (64, 64, 3)).clip(0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.kron(base, np.ones((8, 8, 1), np.uint8)))


def degraded(kind: str, level: float) -> np.ndarray:
    return distortions.distort(clean_photo(), kind, level, np.random.default_rng(0))
