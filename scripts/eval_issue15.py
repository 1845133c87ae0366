"""Figures for the hints of issue 15: blur kind, regions, backlit, glare (and the clean photos).

    python scripts/eval_issue15.py [--only blur_kind,regions,lighting] [--json]

Reads ../shared/data (or $LIVECHECK_SHARED/data) in place, with scripts/eval_hints.py's loaders and
scripts/viewscale.py's cached camera-pipeline renders (built on first use).

* ``blur_kind``: on the viewing-scale synthetic blurs (Gaussian sigma 2.5 = focus, 8-px motion =
  motion; 720p / 1080p / 4K / native), the share told right, per resolution and per source group
  (wild photos, Strecha architecture, phone-scanned documents), and leave-one-dataset-out: the
  ``motion_spread`` threshold chosen without one group (the one maximising the share right over
  the others' cases) and that group's share right under it. Real camera shake (Levin09, DeepGyro,
  skimage's clock) is all motion; its share called ``motion`` is reported beside, not used to choose.
* ``regions``: the clean real_hr photos with their right half blurred (see :func:`regions_figures`).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

import cv2
import eval_hints  # scripts/ is on sys.path when this file is run
import numpy as np
import viewscale

from livecheck.fastchecks import FrameMetrics, measure
from livecheck.hint import Hint
from livecheck.regions import regions
from livecheck.sharpness import BlurKind, blur_kind
from livecheck.thresholds import Thresholds

REAL_SHAKE = ("real/blur/Levin09/blurred", "real/blur/skimage_clock_motion", "real_hr[blurry]")
KIND_OF = {"gauss2.5": BlurKind.FOCUS, "motion8": BlurKind.MOTION}


def _group(source: str) -> str:
    if source.startswith("SfM_"):
        return "strecha"
    return "phone-scan" if source.startswith("phone-scan") else "wild"


def _best_threshold(cases: list[tuple[FrameMetrics, BlurKind]]) -> float:
    """The ``motion_spread`` that tells the most of ``cases`` right (midway between two spreads)."""
    spreads = sorted({m.blur_spread for m, _ in cases})
    candidates = [(a + b) / 2 for a, b in zip(spreads, spreads[1:], strict=False)] or spreads
    return max(candidates, key=lambda t: np.mean([blur_kind(m.blur_spread, t) is k for m, k in cases]))


def _share(cases: list[tuple[FrameMetrics, BlurKind]], t: float,
           keep: Callable[[FrameMetrics], bool] = lambda m: True) -> dict[str, float]:
    right = [blur_kind(m.blur_spread, t) is k for m, k in cases if keep(m)]
    return {"n": len(right), "right": round(float(np.mean(right)), 3) if right else float("nan")}


def blur_kind_figures(data, th: Thresholds) -> dict:
    synthetic: list[tuple[str, str, FrameMetrics, BlurKind]] = []
    for case in viewscale.build(data, defects=tuple(KIND_OF)):
        synthetic.append((_group(case.source), case.resolution, measure(cv2.imread(str(case.path))),
                          KIND_OF[case.defect]))
    blurry = lambda m: m.edge_strength >= th.blurry_min_edges and m.sharpness < th.blurry_on  # noqa: E731
    out: dict = {"threshold": th.motion_spread, "by_resolution": {}, "by_group": {}, "lodo": {}}
    for res in viewscale.RESOLUTIONS:
        cases = [(m, k) for _, r, m, k in synthetic if r == res]
        out["by_resolution"][res] = {"all": _share(cases, th.motion_spread),
                                     "blurry": _share(cases, th.motion_spread, blurry)}
    groups = sorted({g for g, *_ in synthetic})
    for g in groups:
        cases = [(m, k) for gg, _, m, k in synthetic if gg == g]
        out["by_group"][g] = _share(cases, th.motion_spread)
        rest = [(m, k) for gg, _, m, k in synthetic if gg != g]
        t = _best_threshold(rest)
        out["lodo"][g] = {"threshold": round(t, 3), **_share(cases, t)}
    every = [(m, k) for *_, m, k in synthetic]
    out["all"] = {"all": _share(every, th.motion_spread), "blurry": _share(every, th.motion_spread, blurry)}
    out["chosen_on_all"] = round(_best_threshold(every), 3)
    out["real_shake_called_motion"] = {
        spec: _share([(measure(eval_hints._read(p)), BlurKind.MOTION) for p in eval_hints._files(data, spec)],
                     th.motion_spread)
        for spec in REAL_SHAKE}
    return out


def _half_blurred(img: np.ndarray, sigma_view: float = 2.5) -> np.ndarray:
    h, w = img.shape[:2]
    out = img.copy()
    out[:, w // 2:] = cv2.GaussianBlur(img, (0, 0), sigma_view * viewscale.view_factor(w, h))[:, w // 2:]
    return out


def regions_figures(data, th: Thresholds) -> dict:
    """Each clean real_hr photo with its right half blurred (Gaussian sigma 2.5 viewing px): the
    share of the right half's cells that are blurry and the count of blurry cells on the left half;
    over every photo, and over those whose left half was sharp in every cell to begin with (a
    photo's own soft parts, a defocused background, are rightly blurry cells)."""
    per_photo = []
    for path in eval_hints._real_hr(data, "clean"):
        img = eval_hints._read(path)
        before = regions(img, th)
        after = regions(_half_blurred(img), th)
        left = [c for c in after if c.x + c.w / 2 < 0.5]
        right = [c for c in after if c.x + c.w / 2 >= 0.5]
        per_photo.append({
            "photo": path.name, "long_side": max(img.shape[:2]),
            "sharp_left_before": not any(Hint.BLURRY in c.hints for c in before if c.x + c.w / 2 < 0.5),
            "right_blurry": float(np.mean([Hint.BLURRY in c.hints for c in right])),
            "left_blurry_cells": sum(Hint.BLURRY in c.hints for c in left), "left_cells": len(left)})

    def summary(rows: list[dict]) -> dict:
        right = round(float(np.mean([r["right_blurry"] for r in rows])), 3)
        return {"photos": len(rows), "right_half_cells_blurry": right,
                "left_half_blurry_cells": sum(r["left_blurry_cells"] for r in rows),
                "left_half_cells": sum(r["left_cells"] for r in rows)}
    return {"all": summary(per_photo), "sharp_left_half": summary([r for r in per_photo if r["sharp_left_before"]]),
            "per_photo": per_photo}


SECTIONS: dict[str, Callable] = {"blur_kind": blur_kind_figures, "regions": regions_figures}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--json", action="store_true", help="one JSON object (else indented)")
    args = parser.parse_args(argv)
    data = eval_hints.shared_data()
    if not data.is_dir():
        print(f"eval_issue15: shared data not found at {data}", file=sys.stderr)
        return 2
    cv2.setNumThreads(1)
    th = Thresholds()
    result = {name: SECTIONS[name](data, th) for name in args.only.split(",")}
    print(json.dumps(result, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
