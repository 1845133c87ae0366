"""livecheck's BRISQUE vs OpenCV's LIVE BRISQUE on REAL defective photos (what LIVE hardly saw).

    .venv/bin/python scripts/eval_brisque.py [--quick] [--json]

The synthetic held-out SROCC (every kind x level 1..5) is scripts/eval_iqa.py's job; this adds real
camera failures from ../shared/data/real:

* ``noise_pairs``: Nam et al. high-ISO crops and their clean references (same scene): the share of
  pairs where the noisy one scores worse (lower is better, so higher score); 0.5 is chance.
* ``*_vs_clean``: AUC of real dark (SICE under-exposed, DICM photos labelled dark), bright (SICE
  over-exposed) and noisy (DND, RNI15) photos against the held-out clean pristine photos: the
  probability that a defective photo scores worse than a clean one (ties count half).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from livecheck.dev import distortions
from livecheck.models.base import ModelUnavailable
from livecheck.models.brisque import BrisqueModel

_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")


def _images(folder: Path, limit: int | None) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _SUFFIXES)
    return files[:limit] if limit else files


def _dark_dicm(folder: Path) -> list[Path]:
    with open(folder / "labels.csv", newline="") as f:
        return [folder / row["file"] for row in csv.DictReader(f) if row["dark_by_luma_le_60"] == "1"]


def auc(worse: list[float], clean: list[float]) -> float:
    """P(a defective photo's score > a clean photo's score), ties half (scores: lower is better)."""
    a, b = np.asarray(worse)[:, None], np.asarray(clean)[None, :]
    return float(np.mean((a > b) + 0.5 * (a == b)))


def evaluate(quick: bool = False, shared_root: Path | None = None) -> dict:
    root = (shared_root or distortions.default_shared_root()) / "data"
    real = root / "real"
    if not real.is_dir():
        raise FileNotFoundError(f"real photos not found at {real}")
    limit = 8 if quick else None
    scorers: dict[str, BrisqueModel] = {}
    unavailable: dict[str, str] = {}
    for name, make in (("livecheck", BrisqueModel), ("opencv_live", BrisqueModel.opencv_live)):
        try:
            scorers[name] = make()
        except ModelUnavailable as exc:
            unavailable[name] = str(exc)

    def scores(paths: list[Path]) -> dict[str, list[float]]:
        images = [distortions.load_photo(p) for p in paths]
        return {n: [m.score(img)["score"] for img in images] for n, m in scorers.items()}

    _, heldout = distortions.split_photos(shared_root)
    clean = scores(heldout[:limit] if limit else heldout)
    groups: dict[str, Callable[[], list[Path]]] = {
        "dark_sice_vs_clean": lambda: _images(real / "dark" / "SICE_under", limit),
        "dark_dicm_vs_clean": lambda: _dark_dicm(real / "dark" / "DICM")[:limit],
        "bright_sice_vs_clean": lambda: _images(real / "bright" / "SICE_over", limit),
        "noisy_dnd_vs_clean": lambda: _images(real / "noise" / "DND", limit),
        "noisy_rni15_vs_clean": lambda: _images(real / "noise" / "RNI15", limit),
    }
    result: dict = {"clean_photos": len(next(iter(clean.values()), [])), "models": {}, "unavailable": unavailable}
    per_model: dict[str, dict[str, float]] = {n: {} for n in scorers}
    for group, paths in groups.items():
        s = scores(paths())
        for n in scorers:
            per_model[n][group] = round(auc(s[n], clean[n]), 3)
    noisy = _images(real / "noise" / "Nam" / "noisy", limit)
    gt = _images(real / "noise" / "Nam" / "gt", limit)
    pairs_noisy, pairs_gt = scores(noisy), scores(gt)
    for n in scorers:
        per_model[n]["noise_pairs_nam"] = round(float(np.mean(np.asarray(pairs_noisy[n]) > np.asarray(pairs_gt[n]))), 3)
        per_model[n]["mean"] = round(float(np.mean(list(per_model[n].values()))), 3)
    result["models"] = per_model
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="8 photos per group")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    try:
        result = evaluate(quick=args.quick)
    except FileNotFoundError as exc:
        print(f"eval_brisque: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
        return 0
    names = list(result["models"])
    print(f"{'real photos (AUC / pair accuracy)':34s}" + "".join(f"{n:>14s}" for n in names))
    for key in next(iter(result["models"].values()), {}):
        print(f"{key:34s}" + "".join(f"{result['models'][n][key]:14.3f}" for n in names))
    for name, reason in result["unavailable"].items():
        print(f"{name}: unavailable ({reason})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
