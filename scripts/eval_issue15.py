"""Figures for the hints of issue 15: blur kind, regions, backlit, glare (and the clean photos).

    python scripts/eval_issue15.py [--only blur_kind,regions,backlit,low_contrast,hold_still] [--json]

Reads ../shared/data (or $LIVECHECK_SHARED/data) in place, with scripts/eval_hints.py's loaders and
scripts/viewscale.py's cached camera-pipeline renders (built on first use).

* ``blur_kind``: on the viewing-scale synthetic blurs (Gaussian sigma 2.5 = focus, 8-px motion =
  motion; 720p / 1080p / 4K / native), the share told right, per resolution and per source group
  (wild photos, Strecha architecture, phone-scanned documents), and leave-one-dataset-out: the
  ``motion_spread`` threshold chosen without one group (the one maximising the share right over
  the others' cases) and that group's share right under it. Real camera shake (Levin09, DeepGyro,
  skimage's clock) is all motion; its share called ``motion`` is reported beside, not used to choose.
* ``regions``: the clean real_hr photos with their right half blurred (see :func:`regions_figures`).
* ``backlit``: see :func:`backlit_figures`.
* ``low_contrast``: see :func:`low_contrast_figures`.
* ``hold_still``: scripts/eval_hold_still.py.
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
from collections.abc import Callable

import cv2
import eval_hints  # scripts/ is on sys.path when this file is run
import eval_hold_still
import numpy as np

from livecheck.dev import viewscale
from livecheck.fastchecks import FrameMetrics, frame_hints, hint_condition, measure
from livecheck.hint import Hint
from livecheck.regions import REGION_HINTS, regions
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
    blurry = lambda m: hint_condition(Hint.BLURRY, m, th)  # noqa: E731
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
    photo's own soft parts, a defocused background, are rightly blurry cells); and the share of the
    untouched photos' cells with each hint."""
    per_photo = []
    clean_cells: list = []
    for path in eval_hints._real_hr(data, "clean"):
        img = eval_hints._read(path)
        before = regions(img, th)
        clean_cells += before
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
            "clean_cells_with_hint": {h.value: round(float(np.mean([h in c.hints for c in clean_cells])), 3)
                                      for h in REGION_HINTS},
            "per_photo": per_photo}


DICM_BACKLIT = ("05", "07", "10", "11", "31", "32", "33", "36", "38", "40", "41", "42", "43", "44", "61", "65",
                "66")
"""The DICM photos that labels.csv does not flag as dark and that look backlit at viewing scale (a
subject or foreground in its own shadow under a bright sky, sunset or window), judged by eye.
``DICM_AMBIGUOUS`` (bright sky over a moderately dark foreground) is left out of every figure; the
rest of the not-dark DICM photos are not backlit, and are reported as such."""
DICM_AMBIGUOUS = ("04", "15", "28", "34", "46", "47", "53")
BACKLIT_STOPS = 3.0
"""How far the synthetic backlight drops the subject (linear light)."""


def backlit_render(bgr: np.ndarray) -> np.ndarray:
    """A backlit version of a photo, as a camera exposing for a bright surround makes one: in
    linear light at 1920 px, the darker half of the coarse picture (the subject or the foreground
    against its sky), feathered, dropped by ``BACKLIT_STOPS`` stops and the rest lifted by half a
    stop; then JPEG q85."""
    h, w = bgr.shape[:2]
    s = min(1.0, 1920 / max(h, w))
    img = cv2.resize(bgr, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    lin = viewscale.to_linear(img)
    luma = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)
    coarse = cv2.GaussianBlur(luma, (0, 0), max(img.shape[:2]) / 24)
    subject = cv2.GaussianBlur((coarse <= np.median(coarse)).astype(np.float32), (0, 0), max(img.shape[:2]) / 48)
    gain = (2.0 ** -BACKLIT_STOPS) * subject + (2.0 ** 0.5) * (1.0 - subject)
    _, data = cv2.imencode(".jpg", viewscale.to_srgb8(lin * gain[:, :, None]), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def _band_rates(photos: list[tuple[int, bool]]) -> dict[str, dict]:
    out = {}
    for name, lo, hi in eval_hints.BANDS:
        inside = [flag for side, flag in photos if lo <= side <= hi]
        if inside:
            out[name] = {"n": len(inside), "rate": round(float(np.mean(inside)), 3)}
    return out


def _backlit_refit(clean: list[FrameMetrics], sets: list[list[FrameMetrics]], th: Thresholds) -> float:
    """``backlit_on`` maximising the mean recall over ``sets`` minus the clean photos' backlit rate."""
    values = sorted({m.dark_mass for ms in [clean, *sets] for m in ms})
    candidates = [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)]

    def score(on: float) -> float:
        t = dataclasses.replace(th, backlit_on=on, backlit_off=min(th.backlit_off, on))
        recall = np.mean([np.mean([Hint.BACKLIT in frame_hints(m, t) for m in ms]) for ms in sets])
        return float(recall - np.mean([Hint.BACKLIT in frame_hints(m, t) for m in clean]))
    return max(candidates, key=score)


def backlit_figures(data, th: Thresholds) -> dict:
    """Recall of ``backlit`` on the DICM photos that look backlit and on the clean real_hr photos
    made backlit (:func:`backlit_render`), per set and resolution band; the not-backlit DICM photos
    and every other defect set it fires on; leave-one-dataset-out over the two backlit sets; and
    the clean photos with any hint, before (backlit off, as by default) and after (on), per band."""
    dicm = data / "real/dark/DICM"
    with open(dicm / "labels.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    backlit = [dicm / r["file"] for r in rows if r["file"][:-4] in DICM_BACKLIT]
    not_backlit = [dicm / r["file"] for r in rows
                   if r["file"][:-4] not in DICM_BACKLIT + DICM_AMBIGUOUS and r["dark_by_luma_le_60"].strip() != "1"]

    def measured(paths, transform=None) -> list[tuple[int, FrameMetrics]]:
        out = []
        for p in paths:
            img = eval_hints._read(p)
            img = transform(img) if transform else img
            out.append((max(img.shape[:2]), measure(img)))
        return out
    sets = {"real/dark/DICM[backlit]": measured(backlit),
            "synthetic/backlit real_hr": measured(eval_hints._real_hr(data, "clean"), backlit_render)}
    clean = {spec: measured(eval_hints._files(data, spec)) for spec in eval_hints.CLEAN_SETS}
    every_clean = [x for xs in clean.values() for x in xs]
    before = dataclasses.replace(th, disabled=th.disabled | {Hint.BACKLIT})
    th = dataclasses.replace(th, disabled=th.disabled - {Hint.BACKLIT})  # backlit is opt-in
    out: dict = {"recall": {}, "recall_by_band": {}, "lodo": {}}
    for name, photos in sets.items():
        out["recall"][name] = round(float(np.mean([Hint.BACKLIT in frame_hints(m, th) for _, m in photos])), 3)
        out["recall_by_band"][name] = _band_rates([(s, Hint.BACKLIT in frame_hints(m, th)) for s, m in photos])
        rest = [[m for _, m in ps] for n, ps in sets.items() if n != name]
        on = _backlit_refit([m for _, m in every_clean], rest, th)
        held = dataclasses.replace(th, backlit_on=on, backlit_off=min(th.backlit_off, on))
        out["lodo"][name] = {"backlit_on": round(on, 3), "recall": round(float(np.mean(
            [Hint.BACKLIT in frame_hints(m, held) for _, m in photos])), 3)}
    out["not_backlit_dicm_raised"] = round(float(np.mean(
        [Hint.BACKLIT in frame_hints(m, th) for _, m in measured(not_backlit)])), 3)
    others = {}
    for specs in eval_hints.DEFECT_SETS.values():
        for spec in specs:
            if spec != "synthetic/washed_out":
                others[spec] = round(float(np.mean([Hint.BACKLIT in frame_hints(m, th)
                                                    for _, m in measured(eval_hints._files(data, spec))])), 3)
    out["backlit_on_other_defect_sets"] = others
    out["clean_backlit_rate"] = {spec: round(float(np.mean([Hint.BACKLIT in frame_hints(m, th) for _, m in xs])), 3)
                                 for spec, xs in clean.items()}
    out["clean_any_hint"] = {
        label: {"all": round(float(np.mean([bool(frame_hints(m, t)) for _, m in every_clean])), 3),
                "by_band": _band_rates([(s, bool(frame_hints(m, t))) for s, m in every_clean])}
        for label, t in (("before", before), ("after", th))}
    return out


HAZE_T = (0.5, 0.7)
"""Transmissions of the synthetic veil: 0.5 (half the scene's light, half the veil's: fog, a smeared
lens) must raise ``low_contrast``; 0.7 (a light haze) is reported beside."""
HAZE_AIRLIGHT = 0.9
"""The veil's own light, linear (a bright grey sky or lamp light scattered in the fog or the smear)."""
HAZE_SIDES = {"1920": 1920, "1280": 1280}
"""The long sides the real_hr photos are veiled at (one per resolution band above 768 px; a veil
does not depend on scale); the pristine photos keep their own (<= 768)."""


def haze_render(bgr: np.ndarray, t: float, auto_exposure: bool) -> np.ndarray:
    """A veiled photo: in linear light ``J t + A (1 - t)`` (the atmospheric scattering model with a
    uniform transmission ``t``, airlight ``HAZE_AIRLIGHT``), as is (bright, as a camera exposing for
    the scene) or with ``auto_exposure`` (scaled to a mean of 0.18, as one exposing for the frame);
    then JPEG q90."""
    lin = viewscale.to_linear(bgr) * t + HAZE_AIRLIGHT * (1.0 - t)
    if auto_exposure:
        lin *= 0.18 / max(float(lin.mean()), 1e-3)
    _, data = cv2.imencode(".jpg", viewscale.to_srgb8(lin), [cv2.IMWRITE_JPEG_QUALITY, 90])
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def _fit(img: np.ndarray, side: int) -> np.ndarray:
    h, w = img.shape[:2]
    s = side / max(h, w)
    return cv2.resize(img, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA) if s < 1 else img


def _haze_sets(data) -> dict[str, dict[float, list[tuple[int, FrameMetrics]]]]:
    """Per source set, per transmission: the veiled photos (both exposures), measured."""
    sources: dict[str, list[np.ndarray]] = {
        f"real_hr@{name}": [_fit(eval_hints._read(p), side) for p in eval_hints._real_hr(data, "clean")]
        for name, side in HAZE_SIDES.items()}
    for spec in ("pristine/Kodak24", "pristine/CBSD68", "pristine/McMaster"):
        sources[spec] = [eval_hints._read(p) for p in eval_hints._files(data, spec)]
    out: dict[str, dict[float, list[tuple[int, FrameMetrics]]]] = {}
    for name, images in sources.items():
        out[f"synthetic/haze {name}"] = {t: [(max(img.shape[:2]), measure(haze_render(img, t, ae)))
                                             for img in images for ae in (False, True)] for t in HAZE_T}
    return out


def _low_contrast_th(th: Thresholds, on: float, black: float) -> Thresholds:
    """``low_contrast`` on, at ``on`` and ``black``, each off threshold kept at its distance."""
    return dataclasses.replace(th, low_contrast_on=on, low_contrast_off=on + th.low_contrast_off - th.low_contrast_on,
                               low_contrast_black=black,
                               low_contrast_black_off=black + th.low_contrast_black_off - th.low_contrast_black,
                               disabled=th.disabled - {Hint.LOW_CONTRAST})


def _low_contrast_refit(clean: list[FrameMetrics], sets: list[list[FrameMetrics]], th: Thresholds
                        ) -> tuple[float, float]:
    """(``low_contrast_on``, ``low_contrast_black``) maximising the mean recall over ``sets`` minus
    the clean photos' low_contrast rate; the smaller ``on`` and the higher ``black`` among ties."""
    def score(on: float, black: float) -> float:
        t = _low_contrast_th(th, on, black)
        recall = np.mean([np.mean([Hint.LOW_CONTRAST in frame_hints(m, t) for m in ms]) for ms in sets])
        return float(recall - np.mean([Hint.LOW_CONTRAST in frame_hints(m, t) for m in clean]))
    grid = [(round(on, 2), black) for on in np.arange(0.2, 0.62, 0.02) for black in range(30, 130, 10)]
    return max(grid, key=lambda g: (score(*g), -g[0], g[1]))


def low_contrast_figures(data, th: Thresholds) -> dict:
    """Recall of ``low_contrast`` on the veiled photos (:func:`haze_render`) per source set,
    transmission and resolution band; leave-one-dataset-out on its two thresholds (the veils at
    ``t = 0.5``, one source set held out); its rate on the clean photos and the other defect sets;
    and the clean photos with any hint, before (off) and after (on), per band."""
    hazed = _haze_sets(data)
    files = {spec: eval_hints._files(data, spec) for spec in eval_hints.CLEAN_SETS}
    clean = {spec: [(max(img.shape[:2]), measure(img)) for img in map(eval_hints._read, paths)]
             for spec, paths in files.items()}
    every_clean = [x for xs in clean.values() for x in xs]
    before = dataclasses.replace(th, disabled=th.disabled | {Hint.LOW_CONTRAST})
    on = dataclasses.replace(th, disabled=th.disabled - {Hint.LOW_CONTRAST})

    def rate(photos: list[tuple[int, FrameMetrics]], t: Thresholds) -> float:
        return round(float(np.mean([Hint.LOW_CONTRAST in frame_hints(m, t) for _, m in photos])), 3)
    out: dict = {"thresholds": {"low_contrast_on": th.low_contrast_on, "low_contrast_black": th.low_contrast_black},
                 "recall": {}, "recall_by_band": {}, "lodo": {}}
    for name, by_t in hazed.items():
        out["recall"][name] = {str(t): rate(photos, on) for t, photos in by_t.items()}
        out["recall_by_band"][name] = {str(t): _band_rates([(s, Hint.LOW_CONTRAST in frame_hints(m, on))
                                                            for s, m in photos]) for t, photos in by_t.items()}
        rest = [[m for _, m in ps[HAZE_T[0]]] for n, ps in hazed.items() if n != name]
        lc_on, black = _low_contrast_refit([m for _, m in every_clean], rest, th)
        held = _low_contrast_th(th, lc_on, black)
        out["lodo"][name] = {"low_contrast_on": lc_on, "low_contrast_black": black,
                             **{f"recall t={t}": rate(photos, held) for t, photos in by_t.items()}}
    out["chosen_on_all"] = _low_contrast_refit([m for _, m in every_clean],
                                               [[m for _, m in ps[HAZE_T[0]]] for ps in hazed.values()], th)
    out["clean_low_contrast_rate"] = {spec: rate(xs, on) for spec, xs in clean.items()}
    others = {}
    for specs in eval_hints.DEFECT_SETS.values():
        for spec in specs:
            transform = eval_hints.washed_out if spec == "synthetic/washed_out" else None
            photos = [(0, measure(transform(img) if transform else img))
                      for img in map(eval_hints._read, eval_hints._files(data, spec))]
            others[spec] = rate(photos, on)
    out["low_contrast_on_other_defect_sets"] = others
    out["clean_any_hint"] = {
        label: {"all": round(float(np.mean([bool(frame_hints(m, t)) for _, m in every_clean])), 3),
                "by_band": _band_rates([(s, bool(frame_hints(m, t))) for s, m in every_clean])}
        for label, t in (("before", before), ("after", on))}
    out["clean_photos_it_adds_a_hint_to"] = [
        f"{spec}/{path.name}" for spec, xs in clean.items() for path, (_, m) in zip(files[spec], xs, strict=True)
        if Hint.LOW_CONTRAST in frame_hints(m, on) and not frame_hints(m, before)]
    return out


def hold_still_figures(data, th: Thresholds) -> dict:
    return eval_hold_still.evaluate(data, th)


SECTIONS: dict[str, Callable] = {"blur_kind": blur_kind_figures, "regions": regions_figures,
                                 "backlit": backlit_figures, "low_contrast": low_contrast_figures,
                                 "hold_still": hold_still_figures}


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
