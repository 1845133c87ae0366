"""Fit the fusion behind livecheck's ``quality`` (0-100) and write ``models/quality_fusion.json``.

    .venv/bin/python scripts/fit_quality.py [--levels-per-kind 3] [--quick] [--dry-run]

Data: the TRAINING photos of livecheck.dev.distortions.split_photos only (never the held-out ones,
never real_hr, never livecheck.dev.distortions_alt: those are for checking, with
scripts/eval_iqa.py). Each photo is scored clean and after every kind of livecheck.dev.distortions
at a few random continuous
levels: the fast checks (``livecheck.assess``) and the three learned models, exactly as
``livecheck score`` runs them. The raw outputs are cached in ``.cache/quality_fit/``.

Fit: ``livecheck.quality`` turns each raw output into one input oriented higher-is-better
(``fusion_inputs``) and maps it through its empirical distribution on these samples (a quantile
table: every input becomes a rank in 0..1, so no input's units dominate). The fused score is a
weighted mean of those ranks with non-negative weights (so it can only rise when any input gets
better). The weights minimise a pairwise logistic loss: within each (photo, kind), every less
distorted sample should score above every more distorted one -- the ordering the SROCC figures
measure -- plus, at a quarter of the weight, random pairs of different photos and kinds ordered by
the full-reference target (``distortions.quality_target``), so that the 0-100 scale also orders
different defects and photos. The hint penalty is not fitted: it stays a separate documented factor.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from scipy.optimize import minimize

from livecheck.dev import distortions
from livecheck.fastchecks import assess
from livecheck.models import ModelName, ModelUnavailable, load_model, run_model
from livecheck.models.runtime import weights_path
from livecheck.quality import (
    FUSION_FILE,
    FUSION_INPUTS,
    QUANTILES,
    FusionTable,
    fusion_inputs,
)

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache" / "quality_fit"
FIT_SEED = 1307
CROSS_PAIR_WEIGHT = 0.25
PRIOR_STRENGTH = 1.0
"""The largest of 0, 0.3, 1, 3, 10 whose leave-one-kind-out mean SROCC on the training samples is
within 0.01 of the unconstrained fit's (0.965 vs 0.974; 3 and 10 gave 0.964 and 0.965 with lower
worst kinds)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One scored training sample: where it came from and every raw output the fusion may use."""

    photo: str
    kind: str
    level: float
    target: float
    metrics: dict[str, float]
    models: dict[str, dict[str, float]]
    hints: int


def _score_samples(photos: list[Path], levels_per_kind: int) -> Iterator[Row]:
    models = {}
    for name in ModelName:
        try:
            models[str(name)] = load_model(name)
        except ModelUnavailable as exc:
            raise SystemExit(f"fit_quality: every model must load to fit the fusion ({exc})") from exc
    try:
        for photo in photos:
            ref = distortions.load_photo(photo)
            clean = distortions.Sample(photo, "clean", 0.0, ref, ref, 1.0)
            samples = distortions.iter_samples([photo], seed=FIT_SEED, random_levels_per_kind=levels_per_kind)
            for s in (clean, *samples):
                a = assess(s.image)
                outs = {n: run_model(m, s.image) for n, m in models.items()}
                yield Row(f"{photo.parent.name}/{photo.name}", s.kind, s.level, s.target,
                          a.metrics.as_dict(), {n: o.values for n, o in outs.items() if o.error is None},
                          len(a.hints))
    finally:
        for m in models.values():
            m.close()


def collect(photos: list[Path], levels_per_kind: int) -> list[Row]:
    """Every training sample's raw outputs, from the cache where it has them (one JSON line each)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"rows_seed{FIT_SEED}_l{levels_per_kind}.jsonl"
    done: dict[str, list[Row]] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            row = Row(**json.loads(line))
            done.setdefault(row.photo, []).append(row)
    todo = [p for p in photos if f"{p.parent.name}/{p.name}" not in done]
    t0 = time.time()
    with path.open("a") as fh:
        for i, row in enumerate(_score_samples(todo, levels_per_kind)):
            fh.write(json.dumps(_row_dict(row)) + "\n")
            fh.flush()
            done.setdefault(row.photo, []).append(row)
            if i % 100 == 99:
                print(f"  {i + 1} samples scored, {time.time() - t0:.0f} s", flush=True)
    return [r for p in photos for r in done.get(f"{p.parent.name}/{p.name}", [])]


def _row_dict(row: Row) -> dict:
    return {f: getattr(row, f) for f in Row.__slots__}


def input_matrix(rows: list[Row]) -> np.ndarray:
    """Raw fusion inputs, one row per sample, NaN where an input is missing (not judged)."""
    out = np.full((len(rows), len(FUSION_INPUTS)), np.nan)
    for i, r in enumerate(rows):
        values = fusion_inputs(r.metrics, r.models)
        for j, name in enumerate(FUSION_INPUTS):
            if name in values:
                out[i, j] = values[name]
    return out


def quantile_knots(raw: np.ndarray) -> list[list[float]]:
    """Per input, its values at QUANTILES of the training samples (made strictly increasing)."""
    knots = []
    for j in range(raw.shape[1]):
        col = raw[:, j][np.isfinite(raw[:, j])]
        q = np.quantile(col, QUANTILES)
        for k in range(1, len(q)):  # ties (a clamped metric) would make the map a step
            q[k] = max(q[k], q[k - 1] + 1e-6 * (1.0 + abs(q[k - 1])))
        knots.append([float(v) for v in q])
    return knots


def _pairs(rows: list[Row], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(better, worse, weight) index arrays: within-group level pairs, and cross pairs by target."""
    groups: dict[tuple[str, str], list[int]] = {}
    clean: dict[str, int] = {}
    for i, r in enumerate(rows):
        if r.kind == "clean":
            clean[r.photo] = i
        else:
            groups.setdefault((r.photo, r.kind), []).append(i)
    better, worse, weight = [], [], []
    for (photo, _), idx in groups.items():
        members = idx + ([clean[photo]] if photo in clean else [])
        for a in members:
            for b in members:
                if rows[a].level < rows[b].level:
                    better.append(a)
                    worse.append(b)
                    weight.append(1.0)
    n_within = len(better)
    targets = np.array([r.target for r in rows])
    a = rng.integers(0, len(rows), n_within)
    b = rng.integers(0, len(rows), n_within)
    keep = np.abs(targets[a] - targets[b]) > 0.05
    a, b = a[keep], b[keep]
    swap = targets[a] < targets[b]
    better.extend(np.where(swap, b, a).tolist())
    worse.extend(np.where(swap, a, b).tolist())
    weight.extend([CROSS_PAIR_WEIGHT * n_within / max(1, len(a))] * len(a))
    return np.array(better), np.array(worse), np.array(weight) / n_within


def fit_weights(ranks: np.ndarray, better: np.ndarray, worse: np.ndarray, pair_w: np.ndarray,
                prior: np.ndarray, strength: float = PRIOR_STRENGTH) -> np.ndarray:
    """Non-negative weights (sum 1) of the fused rank mean that best order the pairs.

    Logistic loss on the pairs, plus ``strength`` x the squared distance of the weights from
    ``prior``. Why a prior at all: the learned models were trained on these very photos and kinds,
    so here they rank damage better than they will anywhere else, and an unconstrained fit gives
    nearly all the weight to whichever model fits its own training set best. The prior keeps every
    input that ranks damage, in proportion to how well it does.
    """
    available = np.isfinite(ranks)
    filled = np.where(available, ranks, 0.0)

    def loss(params: np.ndarray) -> float:
        w, scale = params[:-1], np.exp(params[-1])
        s = (filled @ w) / np.maximum(available @ w, 1e-9)
        margin = scale * (s[better] - s[worse])
        return float(np.sum(pair_w * np.logaddexp(0.0, -margin))
                     + strength * np.sum((w / max(w.sum(), 1e-9) - prior) ** 2))

    n = ranks.shape[1]
    x0 = np.concatenate([prior + 1e-3, [np.log(10.0)]])
    bounds = [(0.0, None)] * n + [(None, None)]
    res = minimize(loss, x0, method="L-BFGS-B", bounds=bounds)
    w = res.x[:-1]
    return w / w.sum()


def srocc_prior(rows: list[Row], ranks: np.ndarray) -> np.ndarray:
    """Each input's mean per-kind SROCC on the training samples, negatives set to 0, summing to 1."""
    per = np.array([np.mean(list(per_kind_srocc(rows, np.nan_to_num(ranks[:, j], nan=0.5)).values()))
                    for j in range(ranks.shape[1])])
    prior = np.maximum(per, 0.0)
    return prior / prior.sum()


def leave_one_kind_out(rows: list[Row], raw: np.ndarray, ranks: np.ndarray, prior: np.ndarray,
                       strength: float) -> dict[str, float]:
    """Per kind: SROCC of a fusion fitted without that kind (how well it does on a kind it never saw)."""
    out = {}
    table = fusion_table_from(raw)
    for kind in sorted({r.kind for r in rows} - {"clean"}):
        fit_idx = [i for i, r in enumerate(rows) if r.kind != kind]
        test_idx = [i for i, r in enumerate(rows) if r.kind in (kind, "clean")]
        fit_rows = [rows[i] for i in fit_idx]
        better, worse, pair_w = _pairs(fit_rows, np.random.default_rng(FIT_SEED))
        w = fit_weights(ranks[fit_idx], better, worse, pair_w, prior, strength)
        fused = FusionTable(FUSION_INPUTS, table.knots, tuple(w)).fuse(raw[test_idx])
        out[kind] = per_kind_srocc([rows[i] for i in test_idx], fused)[kind]
    return out


def stretch(rows: list[Row], fused: np.ndarray) -> tuple[tuple[float, float], ...]:
    """The final 0..1 stretch: the median clean photo to 0.95, the 5th percentile of all to 0.05."""
    clean = np.median([f for f, r in zip(fused, rows, strict=True) if r.kind == "clean"])
    low = np.percentile(fused, 5)
    return ((0.0, 0.0), (round(float(low), 6), 0.05), (round(float(clean), 6), 0.95), (1.0, 1.0))


def fusion_table_from(raw: np.ndarray, weights: tuple[float, ...] | None = None) -> FusionTable:
    return FusionTable(inputs=FUSION_INPUTS, knots=tuple(map(tuple, quantile_knots(raw))),
                       weights=weights or (1.0,) * len(FUSION_INPUTS))


def per_kind_srocc(rows: list[Row], scores: np.ndarray) -> dict[str, float]:
    """Mean over photos of SROCC(score, -level) within each (photo, kind), clean photo included."""
    from scipy.stats import spearmanr

    clean = {r.photo: i for i, r in enumerate(rows) if r.kind == "clean"}
    groups: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(rows):
        if r.kind != "clean":
            groups.setdefault((r.photo, r.kind), []).append(i)
    per: dict[str, list[float]] = {}
    for (photo, kind), idx in groups.items():
        idx = idx + [clean[photo]]
        rho = spearmanr(scores[idx], [-rows[i].level for i in idx]).statistic
        per.setdefault(kind, []).append(0.0 if not np.isfinite(rho) else float(rho))
    return {k: float(np.mean(v)) for k, v in per.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--levels-per-kind", type=int, default=3, help="random levels per photo and kind")
    ap.add_argument("--quick", action="store_true", help="12 training photos (a smoke run)")
    ap.add_argument("--cross-validate", action="store_true",
                    help="also report each kind's SROCC when the fit leaves that kind out")
    ap.add_argument("--dry-run", action="store_true", help=f"fit and report, do not write models/{FUSION_FILE}")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    train, _ = distortions.split_photos()  # the held-out photos are never read here
    if args.quick:
        train = train[::max(1, len(train) // 12)][:12]
    rows = collect(train, args.levels_per_kind)
    print(f"{len(rows)} samples from {len(train)} training photos")
    raw = input_matrix(rows)
    table = fusion_table_from(raw)
    ranks = table.ranks(raw)
    prior = srocc_prior(rows, ranks)
    better, worse, pair_w = _pairs(rows, np.random.default_rng(FIT_SEED))
    weights = fit_weights(ranks, better, worse, pair_w, prior)
    table = fusion_table_from(raw, tuple(float(w) for w in weights))
    fused = table.fuse(raw)
    table = dataclasses.replace(table, scale=stretch(rows, fused))
    print("prior:   " + ", ".join(f"{n} {w:.3f}" for n, w in zip(FUSION_INPUTS, prior, strict=True)))
    print("weights: " + ", ".join(f"{n} {w:.3f}" for n, w in zip(FUSION_INPUTS, weights, strict=True)))
    figures = {"fused": per_kind_srocc(rows, fused)}
    if args.cross_validate:
        figures["fused, kind left out"] = leave_one_kind_out(rows, raw, ranks, prior, PRIOR_STRENGTH)
    for j, name in enumerate(FUSION_INPUTS):
        figures[name] = per_kind_srocc(rows, np.nan_to_num(ranks[:, j], nan=0.5))
    std = np.array([r.models.get("nima", {}).get("std", np.nan) for r in rows])
    figures["nima std (lower)"] = per_kind_srocc(rows, -std)
    kinds = list(figures["fused"])
    print(f"{'training photos, SROCC':24s}" + "".join(f"{k[:9]:>10s}" for k in kinds) + f"{'mean':>10s}")
    for name, per in figures.items():
        print(f"{name:24s}" + "".join(f"{per[k]:10.3f}" for k in kinds) + f"{np.mean(list(per.values())):10.3f}")
    if not args.dry_run:
        out = weights_path(FUSION_FILE)
        out.write_text(table.to_json(samples=len(rows), training_photos=len(train), seed=FIT_SEED,
                                    levels_per_kind=args.levels_per_kind, prior_strength=PRIOR_STRENGTH) + "\n")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
