"""Training set for DIQA and NIMA: distorted views of the training photos with full-reference targets.

Each sample is one photo x distortion kind x random continuous level (plus a few clean photos),
cut to the model view (livecheck.models.runtime.model_view, with a random position and a little
scale jitter for training) after distorting the whole photo. Targets come from
``distortions.quality_target`` on the full-size photo: an objective full-reference score, not a
human opinion. Built once per setting and cached in ``<repo>/.cache/iqa`` (git-ignored).
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from livecheck.dev import REPO, distortions
from livecheck.models.runtime import VIEW_MAX_SIDE

CACHE_DIR = REPO / ".cache" / "iqa"


@dataclass(frozen=True)
class TrainSet:
    views: np.ndarray  # [N, S, S, 3] uint8 RGB, distorted
    ref_grey: np.ndarray  # [N, S, S] uint8, the clean photo's grey view (same crop)
    targets: np.ndarray  # [N] float32 in [0, 1]
    levels: np.ndarray  # [N] float32
    kinds: np.ndarray  # [N] int16, index into distortions.KINDS, -1 = clean

    def __len__(self) -> int:
        return len(self.targets)


def jittered_view(bgr: np.ndarray, size: int, rng: np.random.Generator,
                  scale_jitter: float = 0.15) -> tuple[int, int, int]:
    """A random square (y0, x0, side) near the model view's size: training-time augmentation."""
    h, w = bgr.shape[:2]
    side = min(h, w, VIEW_MAX_SIDE)
    side = int(round(side * rng.uniform(1.0 - scale_jitter, 1.0)))
    return int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1)), side


def cut(bgr: np.ndarray, box: tuple[int, int, int], size: int) -> np.ndarray:
    y0, x0, side = box
    crop = bgr[y0:y0 + side, x0:x0 + side]
    interp = cv2.INTER_AREA if side >= size else cv2.INTER_LINEAR
    return cv2.resize(crop, (size, size), interpolation=interp)


def build(photos: list[Path], size: int, seed: int, levels_per_kind: int,
          clean_per_photo: int = 2, verbose: bool = True,
          kinds: Sequence[str] = distortions.KINDS) -> TrainSet:
    """Per photo: ``clean_per_photo`` clean views, then ``levels_per_kind`` random levels of each of
    ``kinds`` in that order (each photo's views of one kind are consecutive)."""
    views, refs, targets, levels, kind_ids = [], [], [], [], []
    rng = np.random.default_rng(seed)
    t0 = time.time()
    kind_index = {k: i for i, k in enumerate(distortions.KINDS)}

    def add(ref: np.ndarray, img: np.ndarray, target: float, level: float, kind: int) -> None:
        box = jittered_view(ref, size, rng)
        if rng.random() < 0.5:
            ref, img = ref[:, ::-1], img[:, ::-1]
        views.append(cv2.cvtColor(cut(img, box, size), cv2.COLOR_BGR2RGB))
        refs.append(cv2.cvtColor(cut(ref, box, size), cv2.COLOR_BGR2GRAY))
        targets.append(target)
        levels.append(level)
        kind_ids.append(kind)

    for i, photo in enumerate(photos):
        ref = distortions.load_photo(photo)
        for _ in range(clean_per_photo):
            add(ref, ref, 1.0, 0.0, -1)
        for s in distortions.iter_samples([photo], kinds=kinds, seed=seed,
                                          random_levels_per_kind=levels_per_kind):
            add(s.reference, s.image, s.target, s.level, kind_index[s.kind])
        if verbose and (i + 1) % 10 == 0:
            print(f"  built {i + 1}/{len(photos)} photos ({time.time() - t0:.0f} s)", flush=True)
    return TrainSet(np.stack(views), np.stack(refs), np.asarray(targets, np.float32),
                    np.asarray(levels, np.float32), np.asarray(kind_ids, np.int16))


def load_or_build(photos: list[Path], size: int, seed: int, levels_per_kind: int,
                  kinds: Sequence[str] = distortions.KINDS) -> TrainSet:
    """The training set for these settings, from the cache when it was built before."""
    key = hashlib.sha1(("|".join(f"{p.parent.name}/{p.name}" for p in photos)
                        + f"|{size}|{seed}|{levels_per_kind}|{tuple(kinds)}").encode()).hexdigest()[:12]
    path = CACHE_DIR / f"trainset_{size}_{key}.npz"
    if path.exists():
        with np.load(path) as z:
            return TrainSet(z["views"], z["ref_grey"], z["targets"], z["levels"], z["kinds"])
    ts = build(photos, size, seed, levels_per_kind, kinds=kinds)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, views=ts.views, ref_grey=ts.ref_grey, targets=ts.targets, levels=ts.levels,
             kinds=ts.kinds)
    tmp.replace(path)
    return ts
