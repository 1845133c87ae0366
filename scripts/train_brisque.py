"""Train livecheck's BRISQUE regressor: an epsilon-SVR (RBF) on the 36 BRISQUE features.

    .venv/bin/python scripts/train_brisque.py [--levels-per-kind 4] [--quick] [--out models]

Samples are the training photos of ``distortions.split_photos`` (the held-out ones are never seen),
each clean (target 0) and under every distortion kind at random continuous levels, with the same
full-reference target as the learned models: ``score = 100 * (1 - quality_target)``, so 0 is clean
and higher is worse, as in BRISQUE. Features (livecheck.models.brisque_features) are cached in
``.cache/brisque``. Feature ranges (min/max per feature over the training set) scale features to
[-1, 1] as OpenCV does; C and the RBF gamma are picked on 4 folds split BY PHOTO, maximising the
mean within-photo-and-kind Spearman correlation between score and target (what eval_iqa measures)
with the RMSE as tie-break. The winner is refitted on all samples with cv2.ml.SVM (EPS_SVR, RBF),
so the saved files load with cv2.ml.SVM_load at run time: no scikit-learn needed. The SVR is
fitted on a fixed random 20% of the samples (see SUBSAMPLE) to keep the model file small.

Writes ``brisque_model.yml`` and ``brisque_range.yml`` to ``--out`` (default: models/).
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from livecheck.dev import distortions
from livecheck.models.brisque import MODEL_FILE, RANGE_FILE
from livecheck.models.brisque_features import BrisqueFeatures

REPO = Path(__file__).resolve().parents[1]

CACHE_DIR = REPO / ".cache" / "brisque"
TRAIN_SEED = 7
FOLDS = 4
C_GRID = (8.0, 32.0, 128.0)
GAMMA_GRID = (0.02, 0.05, 0.1)
EPSILON = 5.0  # on the 0..100 score scale; wider tubes keep fewer support vectors
SUBSAMPLE = 0.2
"""Fraction of the ~10k samples the SVR is fitted on (a fixed random pick). An RBF SVR keeps most
of its training points as support vectors at this noise level; 20% keeps the YAML under ~1 MB at
the same cross-validated SROCC as all of them (0.80 vs 0.79-0.80 measured)."""
SCALES = (1.0, 0.7)
"""Each photo is also used shrunk (INTER_AREA, before distorting), so the model sees the same
kinds of damage at another ratio of detail per pixel, as camera frames of other sizes have."""


@dataclass(frozen=True)
class FeatureSet:
    features: np.ndarray  # [N, 36] float32
    scores: np.ndarray  # [N] float32, 100 * (1 - target)
    photo: np.ndarray  # [N] int32 photo index (for grouped folds)
    kind: np.ndarray  # [N] int16 index into distortions.KINDS, -1 = clean


def _scaled(bgr: np.ndarray, scale: float) -> np.ndarray:
    if scale == 1.0:
        return bgr
    h, w = bgr.shape[:2]
    return cv2.resize(bgr, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)


def _rng(seed: int, *parts: object) -> np.random.Generator:
    key = "|".join(str(p) for p in (seed, *parts)).encode()
    return np.random.default_rng(int.from_bytes(hashlib.sha1(key).digest()[:8], "little"))


def build(photos: list[Path], levels_per_kind: int, seed: int) -> FeatureSet:
    """Clean + every kind at ``levels_per_kind`` random levels in (0, LEVELS], per photo and scale."""
    extract = BrisqueFeatures()
    rows: list[np.ndarray] = []
    scores: list[float] = []
    photo_ids: list[int] = []
    kinds: list[int] = []
    t0 = time.time()
    for i, path in enumerate(photos):
        original = distortions.load_photo(path)
        for scale in SCALES:
            ref = _scaled(original, scale)
            rows.append(extract(ref))
            scores.append(0.0)
            photo_ids.append(i)
            kinds.append(-1)
            for k, kind in enumerate(distortions.KINDS):
                rng = _rng(seed, path.parent.name, path.name, scale, kind)
                for level in rng.uniform(0.0, distortions.LEVELS, levels_per_kind):
                    image = distortions.distort(ref, kind, float(level), rng)
                    rows.append(extract(image))
                    scores.append(100.0 * (1.0 - distortions.quality_target(ref, image)))
                    photo_ids.append(i)
                    kinds.append(k)
        print(f"  {i + 1}/{len(photos)} photos, {len(rows)} samples ({time.time() - t0:.0f} s)", flush=True)
    return FeatureSet(np.asarray(rows, np.float32), np.asarray(scores, np.float32),
                      np.asarray(photo_ids, np.int32), np.asarray(kinds, np.int16))


def load_or_build(photos: list[Path], levels_per_kind: int, seed: int) -> FeatureSet:
    key = hashlib.sha1(("|".join(f"{p.parent.name}/{p.name}" for p in photos)
                        + f"|{levels_per_kind}|{seed}|{SCALES}|{distortions.KINDS}").encode()).hexdigest()[:12]
    path = CACHE_DIR / f"features_{key}.npz"
    if path.exists():
        with np.load(path) as z:
            return FeatureSet(z["features"], z["scores"], z["photo"], z["kind"])
    fs = build(photos, levels_per_kind, seed)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, features=fs.features, scores=fs.scores, photo=fs.photo, kind=fs.kind)
    tmp.replace(path)
    return fs


def feature_range(features: np.ndarray) -> np.ndarray:
    """2 x 36 float32: per-feature min and max (widened where a feature is constant)."""
    low, high = features.min(axis=0), features.max(axis=0)
    flat = high <= low
    low[flat] -= 0.5
    high[flat] += 0.5
    return np.stack([low, high]).astype(np.float32)


def scale(features: np.ndarray, rng_table: np.ndarray) -> np.ndarray:
    """To [-1, 1] with the same float32 expression as the scorer (and OpenCV)."""
    low, high = rng_table
    return (np.float32(-1.0) + np.float32(2.0) * (features - low) / (high - low)).astype(np.float32)


def make_svr(c: float, gamma: float) -> cv2.ml.SVM:
    svm = cv2.ml.SVM_create()
    svm.setType(cv2.ml.SVM_EPS_SVR)
    svm.setKernel(cv2.ml.SVM_RBF)
    svm.setC(c)
    svm.setGamma(gamma)
    svm.setP(EPSILON)
    svm.setTermCriteria((cv2.TERM_CRITERIA_MAX_ITER + cv2.TERM_CRITERIA_EPS, 200000, 1e-3))
    return svm


def _ranks(x: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(x, kind="mergesort"), kind="mergesort").astype(np.float64)


def grouped_srocc(pred: np.ndarray, truth: np.ndarray, photo: np.ndarray, kind: np.ndarray) -> float:
    """Mean over (photo, kind) groups of Spearman(pred, truth): does it order strengths right?"""
    values = []
    for p, k in {(int(a), int(b)) for a, b in zip(photo, kind, strict=True) if b >= 0}:
        sel = (photo == p) & (kind == k)
        if sel.sum() < 3:
            continue
        ra, rb = _ranks(pred[sel]), _ranks(truth[sel])
        ra, rb = ra - ra.mean(), rb - rb.mean()
        denom = np.sqrt((ra**2).sum() * (rb**2).sum())
        values.append(float((ra * rb).sum() / denom) if denom > 0 else 0.0)
    return float(np.mean(values))


def cross_validate(fs: FeatureSet, x: np.ndarray, fit_on: np.ndarray) -> tuple[float, float, list[dict]]:
    """Grid search over C and gamma with folds split by photo; returns (C, gamma, table).

    Each fold fits on the ``fit_on`` samples of the other folds' photos and is scored on ALL
    samples of its own photos."""
    fold_of_photo = np.random.default_rng(TRAIN_SEED).permutation(fs.photo.max() + 1) % FOLDS
    fold = fold_of_photo[fs.photo]
    table = []
    for c, gamma in itertools.product(C_GRID, GAMMA_GRID):
        pred = np.empty_like(fs.scores)
        t0 = time.time()
        for f in range(FOLDS):
            train, test = (fold != f) & fit_on, fold == f
            svm = make_svr(c, gamma)
            svm.train(x[train], cv2.ml.ROW_SAMPLE, fs.scores[train].reshape(-1, 1))
            pred[test] = svm.predict(x[test])[1].ravel()
        rmse = float(np.sqrt(np.mean((np.clip(pred, 0, 100) - fs.scores) ** 2)))
        srocc = grouped_srocc(pred, fs.scores, fs.photo, fs.kind)
        table.append({"C": c, "gamma": gamma, "srocc": srocc, "rmse": rmse})
        print(f"  C={c:g} gamma={gamma:g}: SROCC {srocc:.4f}  RMSE {rmse:.2f}  ({time.time() - t0:.0f} s)",
              flush=True)
    best = max(table, key=lambda r: (round(r["srocc"], 3), -r["rmse"]))
    return best["C"], best["gamma"], table


def save_range(path: Path, rng_table: np.ndarray) -> None:
    storage = cv2.FileStorage(str(path), cv2.FILE_STORAGE_WRITE)
    storage.write("range", rng_table)
    storage.release()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--levels-per-kind", type=int, default=4, help="random levels per photo and kind")
    ap.add_argument("--quick", action="store_true", help="12 photos, no grid search (a smoke run)")
    ap.add_argument("--out", type=Path, default=REPO / "models", help="folder for the two .yml files")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    try:
        train_photos, _ = distortions.split_photos()
    except FileNotFoundError as exc:
        print(f"train_brisque: {exc}", file=sys.stderr)
        return 2
    if args.quick:
        train_photos = train_photos[::max(1, len(train_photos) // 12)][:12]
    print(f"features of {len(train_photos)} training photos x {len(SCALES)} scales ...", flush=True)
    fs = load_or_build(train_photos, args.levels_per_kind, TRAIN_SEED)
    keep = np.all(np.isfinite(fs.features), axis=1)
    if not keep.all():
        print(f"  dropped {int((~keep).sum())} samples with non-finite features (flat images)")
        fs = FeatureSet(fs.features[keep], fs.scores[keep], fs.photo[keep], fs.kind[keep])
    rng_table = feature_range(fs.features)
    x = scale(fs.features, rng_table)
    fit_on = np.random.default_rng(TRAIN_SEED).random(len(fs.scores)) < SUBSAMPLE
    if args.quick:
        c, gamma = C_GRID[1], GAMMA_GRID[1]
    else:
        print(f"grid search: fit on {int(fit_on.sum())} of {len(x)} samples, {FOLDS} folds by photo ...",
              flush=True)
        c, gamma, _ = cross_validate(fs, x, fit_on)
    svm = make_svr(c, gamma)
    svm.train(x[fit_on], cv2.ml.ROW_SAMPLE, fs.scores[fit_on].reshape(-1, 1))
    args.out.mkdir(parents=True, exist_ok=True)
    svm.save(str(args.out / MODEL_FILE))
    save_range(args.out / RANGE_FILE, rng_table)
    n_sv = svm.getSupportVectors().shape[0]
    print(f"saved {args.out / MODEL_FILE} (C={c:g}, gamma={gamma:g}, epsilon={EPSILON:g}, "
          f"{n_sv} support vectors) and {args.out / RANGE_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
