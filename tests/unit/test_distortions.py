"""The shared distortion generator: determinism, shapes, monotone targets, the fixed split."""
from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from livecheck.dev import distortions as d


def _photo(seed: int = 3, h: int = 192, w: int = 256) -> np.ndarray:
    """A textured synthetic photo: smooth gradients, edges and fine texture."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = 90 + 60 * np.sin(xx / 17.0) * np.cos(yy / 23.0)
    base += 40 * ((xx // 32 + yy // 32) % 2)
    texture = rng.normal(0, 12, (h // 4, w // 4)).astype(np.float32)
    base += np.kron(texture, np.ones((4, 4), np.float32))
    img = np.stack([base, base * 0.9 + 10, base * 0.8 + 25], axis=2)
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("kind", d.KINDS)
def test_each_kind_keeps_shape_and_is_deterministic(kind: str) -> None:
    img = _photo()
    a = d.distort(img, kind, 3.0, np.random.default_rng(7))
    b = d.distort(img, kind, 3.0, np.random.default_rng(7))
    assert a.shape == img.shape and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert not np.array_equal(a, img)


@pytest.mark.parametrize("kind", d.KINDS)
def test_target_falls_with_level(kind: str) -> None:
    img = _photo()
    targets = [d.quality_target(img, d.distort(img, kind, float(lv), np.random.default_rng(1)))
               for lv in range(1, d.LEVELS + 1)]
    assert all(0.0 <= t <= 1.0 for t in targets)
    assert all(a > b for a, b in pairwise(targets)), targets


def test_level_zero_is_identity_and_target_one() -> None:
    img = _photo()
    for kind in d.KINDS:
        out = d.distort(img, kind, 0.0, np.random.default_rng(0))
        assert np.array_equal(out, img), kind
    assert d.quality_target(img, img) == pytest.approx(1.0)


def test_bad_arguments_raise() -> None:
    img = _photo()
    with pytest.raises(ValueError, match="unknown distortion"):
        d.distort(img, "sepia", 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="level"):
        d.distort(img, "jpeg", 6.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="differ in size"):
        d.quality_target(img, img[:10])


def test_jpeg2000_is_supported_by_this_opencv() -> None:
    img = _photo()
    out = d.distort(img, "jpeg2000", 5.0, np.random.default_rng(0))
    assert np.abs(out.astype(int) - img.astype(int)).mean() > 1.0


def test_split_is_fixed_stratified_and_disjoint() -> None:
    root = d.default_shared_root()
    if not (root / "data" / "pristine").is_dir():
        pytest.skip(f"../shared/data not found: {root}")
    train, held = d.split_photos(root)
    assert not set(train) & set(held)
    n_files = sum(1 for p in (root / "data" / "pristine").rglob("*") if p.is_file())
    assert len(train) + len(held) == n_files > 100
    for name in d.PRISTINE_SETS:
        n_set = sum(p.parent.name == name for p in train + held)
        n_held = sum(p.parent.name == name for p in held)
        assert n_held == round(0.2 * n_set)
    assert d.split_photos(root) == (train, held)


def test_iter_samples_grid_and_random_levels(tmp_path: Path) -> None:
    import cv2

    path = tmp_path / "set" / "p.png"
    path.parent.mkdir()
    cv2.imwrite(str(path), _photo())
    grid = list(d.iter_samples([path], kinds=("jpeg",)))
    assert [s.level for s in grid] == [1.0, 2.0, 3.0, 4.0, 5.0]
    rnd = list(d.iter_samples([path], kinds=("white_noise", "jpeg"), seed=5, random_levels_per_kind=3))
    assert len(rnd) == 6 and all(0.0 <= s.level <= d.LEVELS for s in rnd)
    again = list(d.iter_samples([path], kinds=("white_noise", "jpeg"), seed=5, random_levels_per_kind=3))
    assert [s.level for s in rnd] == [s.level for s in again]
    assert all(np.array_equal(a.image, b.image) for a, b in zip(rnd, again, strict=True))
