"""Does each quality model rank distortion strength correctly on photos it never saw?

    .venv/bin/python scripts/eval_iqa.py [--quick] [--json] [--models diqa,...] [--diqa FILE.tflite]

On the held-out pristine photos (scripts/distortions.split_photos), every distortion kind is applied
at the fixed levels 1..LEVELS. For each photo and kind, the Spearman rank correlation (SROCC)
between a model's quality (oriented so higher is better) and the *negated* level is computed
(1.0 = the model orders the five strengths perfectly); these are averaged per kind, and the overall
figure is the mean over kinds. Every model in ``livecheck.models.ModelName`` that loads is
measured, and so is the peer users would reach for: OpenCV contrib's BRISQUE with its LIVE model.

A sanity check on real degradations is added: the fraction of (clean, degraded) pairs of real
photos -- Nam et al.'s high-ISO noise crops and Levin et al.'s camera-shake blur -- in which the
clean photo gets the better score.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import distortions  # noqa: E402
from livecheck.models import ModelName, ModelUnavailable, load_model  # noqa: E402

PEER_NAME = "opencv_brisque_live"
OPENCV_QUALITY_DIR = Path("/usr/share/opencv4/quality")
EVAL_SEED = 20240611
QUICK_PHOTOS = 6


def _ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 0..n-1 with ties given their average rank."""
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x), np.float64)
    sorted_x = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and sorted_x[j + 1] == sorted_x[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0
        i = j + 1
    return ranks


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rho; 0 when either side is constant (a model that cannot tell levels apart)."""
    ra, rb = _ranks(np.asarray(a, np.float64)), _ranks(np.asarray(b, np.float64))
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denom = np.sqrt((ra**2).sum() * (rb**2).sum())
    return float((ra * rb).sum() / denom) if denom > 0 else 0.0


@dataclass
class Scorer:
    name: str
    quality: Callable[[np.ndarray], float]  # higher is better
    close: Callable[[], None]
    seconds: float = 0.0
    calls: int = 0
    scores: dict[tuple[str, str], list[tuple[float, float]]] = field(default_factory=dict)


def _model_scorer(name: ModelName, weights_dir: Path | None = None) -> Scorer | str:
    try:
        model = load_model(name, weights_dir)
    except ModelUnavailable as exc:
        return str(exc)
    sign = 1.0 if model.info.higher_is_better else -1.0

    def quality(bgr: np.ndarray) -> float:
        out = model.score(bgr)
        return sign * float(out["mean"] if "mean" in out else out["score"])

    return Scorer(str(name), quality, model.close)


def _peer_scorer() -> Scorer | str:
    model_file = OPENCV_QUALITY_DIR / "brisque_model_live.yml"
    range_file = OPENCV_QUALITY_DIR / "brisque_range_live.yml"
    if not (hasattr(cv2, "quality") and model_file.exists() and range_file.exists()):
        return f"OpenCV BRISQUE needs cv2.quality and {model_file} (Debian package opencv-data)"

    def quality(bgr: np.ndarray) -> float:
        return -float(cv2.quality.QualityBRISQUE_compute(bgr, str(model_file), str(range_file))[0])

    return Scorer(PEER_NAME, quality, lambda: None)


def _real_pairs(shared_root: Path) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """(clean, degraded) pairs of REAL photos: Nam's high-ISO crops and Levin's camera-shake blur."""
    real = shared_root / "data" / "real"
    nam = [(real / "noise" / "Nam" / "gt" / p.name.replace("_noise", "_gt"), p)
           for p in sorted((real / "noise" / "Nam" / "noisy").glob("*.png"))]
    levin = [(real / "blur" / "Levin09" / "gt" / f"{p.name.split('_')[0]}.png", p)
             for p in sorted((real / "blur" / "Levin09" / "blurred").glob("*.png"))]
    return {name: [(distortions.load_photo(a), distortions.load_photo(b)) for a, b in pairs if a.exists()]
            for name, pairs in (("nam_real_noise", nam), ("levin_real_shake", levin))}


def evaluate(quick: bool = False, shared_root: Path | None = None,
             names: tuple[str, ...] | None = None,
             weights_dirs: dict[ModelName, Path] | None = None) -> dict:
    """SROCC per kind and overall for every loadable model and the OpenCV BRISQUE peer.

    ``names`` limits the run to those models (``ModelName`` values and/or the peer's name);
    ``weights_dirs`` loads a model from another folder than the shipped ``models/``.
    """
    _, heldout = distortions.split_photos(shared_root)
    if quick:
        heldout = heldout[::max(1, len(heldout) // QUICK_PHOTOS)][:QUICK_PHOTOS]
    scorers: list[Scorer] = []
    unavailable: dict[str, str] = {}
    wanted = set(names) if names is not None else {*map(str, ModelName), PEER_NAME}
    candidates = {str(n): _model_scorer(n, (weights_dirs or {}).get(n)) for n in ModelName if str(n) in wanted}
    if PEER_NAME in wanted:
        candidates[PEER_NAME] = _peer_scorer()
    for name, candidate in candidates.items():
        if isinstance(candidate, Scorer):
            scorers.append(candidate)
        else:
            unavailable[name] = candidate
    t0 = time.time()
    real: dict[str, dict[str, float]] = {}
    try:
        for sample in distortions.iter_samples(heldout, seed=EVAL_SEED):
            key = (f"{sample.photo.parent.name}/{sample.photo.name}", sample.kind)
            for s in scorers:
                t = time.perf_counter()
                q = s.quality(sample.image)
                s.seconds += time.perf_counter() - t
                s.calls += 1
                s.scores.setdefault(key, []).append((sample.level, q))
        pairs = _real_pairs(shared_root or distortions.default_shared_root())
        for s in scorers:
            real[s.name] = {
                set_name: float(np.mean([s.quality(clean) > s.quality(bad) for clean, bad in set_pairs]))
                for set_name, set_pairs in pairs.items() if set_pairs}
    finally:
        for s in scorers:
            s.close()
    models: dict[str, dict] = {}
    for s in scorers:
        per_kind: dict[str, list[float]] = {}
        for (_, kind), pairs in s.scores.items():
            levels, qs = np.array(pairs).T
            per_kind.setdefault(kind, []).append(spearman(qs, -levels))
        means = {k: float(np.mean(v)) for k, v in per_kind.items()}
        models[s.name] = {
            "srocc_mean": float(np.mean(list(means.values()))),
            "srocc_min_kind": min(means, key=means.get),
            "srocc_per_kind": means,
            "ms_per_image": 1e3 * s.seconds / max(1, s.calls),
            "real_pairs_clean_wins": real.get(s.name, {}),
        }
    return {
        "photos": len(heldout),
        "levels": list(range(1, distortions.LEVELS + 1)),
        "kinds": list(distortions.KINDS),
        "seconds": time.time() - t0,
        "models": models,
        "unavailable": unavailable,
    }


def _table(result: dict) -> str:
    names = list(result["models"])
    lines = [f"SROCC(quality, -level) on {result['photos']} held-out photos, levels "
             f"{result['levels'][0]}..{result['levels'][-1]}",
             f"{'kind':16s}" + "".join(f"{n:>22s}" for n in names)]
    for kind in result["kinds"]:
        lines.append(f"{kind:16s}" + "".join(
            f"{result['models'][n]['srocc_per_kind'].get(kind, float('nan')):22.3f}" for n in names))
    lines.append(f"{'MEAN':16s}" + "".join(f"{result['models'][n]['srocc_mean']:22.3f}" for n in names))
    lines.append(f"{'ms/image':16s}" + "".join(f"{result['models'][n]['ms_per_image']:22.1f}" for n in names))
    lines.append("real (clean, degraded) pairs: fraction where the clean photo scores better")
    for set_name in ("nam_real_noise", "levin_real_shake"):
        lines.append(f"{set_name:16s}" + "".join(
            f"{result['models'][n]['real_pairs_clean_wins'].get(set_name, float('nan')):22.2f}" for n in names))
    for name, reason in result["unavailable"].items():
        lines.append(f"{name}: unavailable ({reason})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help=f"only {QUICK_PHOTOS} held-out photos")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    choices = [*map(str, ModelName), PEER_NAME]
    ap.add_argument("--models", help=f"comma-separated subset of {','.join(choices)} (default: all)")
    ap.add_argument("--diqa", type=Path, metavar="FILE",
                    help="evaluate this DIQA .tflite (e.g. a training candidate) instead of the shipped one")
    args = ap.parse_args(argv)
    names = tuple(args.models.split(",")) if args.models else None
    if names is not None and not set(names) <= set(choices):
        ap.error(f"--models: unknown {', '.join(sorted(set(names) - set(choices)))}; known: {', '.join(choices)}")
    if args.diqa is not None and not args.diqa.is_file():
        ap.error(f"--diqa: no file {args.diqa}")
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory(prefix="eval_iqa_") as tmp:
        weights_dirs = {}
        if args.diqa is not None:  # DiqaModel reads <weights_dir>/diqa.tflite
            shutil.copyfile(args.diqa, Path(tmp) / "diqa.tflite")
            weights_dirs[ModelName.DIQA] = Path(tmp)
        try:
            result = evaluate(quick=args.quick, names=names, weights_dirs=weights_dirs)
        except FileNotFoundError as exc:
            print(f"eval_iqa: {exc}", file=sys.stderr)
            return 2
    print(json.dumps(result, indent=2) if args.json else _table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
