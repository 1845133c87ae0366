"""How well the per-frame hints work on real photos at every resolution, next to the textbook recipe.

    python scripts/eval_hints.py [--json] [--quick] [--strictness] [--score-decode]

Reads ../shared/data (or $LIVECHECK_SHARED/data) in place. Every figure is at the viewing scale of
the contract (livecheck/view.py: a frame is judged fitted to 1920 px when larger).

* Recall per hint on the photos that have that defect, per data set, and the false-hint rate: the
  share of clean photos that get ANY hint (pristine/*, Nam/gt, Levin09/gt, real_hr clean), per set
  and per resolution band (long side <= 768, 769-1600, > 1600 px). The same for the textbook recipe
  (Laplacian variance < 100 = blurry, mean luma < 60 / > 190 = too dark / too bright, no noise check).
* Viewing-scale synthetic test (scripts/viewscale.py): the real_hr clean photos through a camera
  pipeline at 720p, 1080p, 4K and native 12+ MP, with defects fixed at the viewing scale: blurry
  recall for Gaussian sigma 2.5 / 8 px motion, false blurry for sharp and sigma 0.5, noisy recall for
  sigma 5, false noisy for sigma 1. `--quick` leaves it out (it renders ~800 camera frames once into
  a cache outside the repository). The renders are read whole, as a camera frame reaches the checks;
  `--score-decode` reads them as `livecheck score` decodes a JPEG (the 4K and native ones at half size).
* Synthetic washed-out exposure of the real_hr clean photos (exposure gain, veiling flare and a
  highlight shoulder in linear light, JPEG): pale, flat frames with few blown pixels, a second
  `too_bright` set beside SICE's blown ones.
* Leave-one-dataset-out: each hint's on threshold re-chosen without one defect set (maximising recall
  minus the clean photos' rate of that hint), and the held-out set's recall under it.
* Compressed video: the bundled demo clip through the hint engine.
* Strictness: the same photos judged under each ``--strictness`` preset (recall per hint, and the
  clean photos with any hint per resolution band): the README's strictness table.
  ``--strictness`` prints only that table (real photos only, as ``--quick``).

`evaluate() -> dict` is what scripts/evaluate.py calls.
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import itertools
import json
import sys
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from livecheck.dev import shared_root, viewscale
from livecheck.fastchecks import FrameMetrics, frame_hints, hint_condition, measure
from livecheck.hint import Hint
from livecheck.hint_engine import HintEngine
from livecheck.imageio import read_picture
from livecheck.thresholds import OPT_IN, PRESETS, Thresholds
from livecheck.view import VIEW_SIZE

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}

DEFECT_SETS: dict[Hint, tuple[str, ...]] = {
    Hint.TOO_DARK: ("real/dark/SICE_under", "real/dark/DICM[dark]", "real_hr[dark]"),
    Hint.TOO_BRIGHT: ("real/bright/SICE_over", "synthetic/washed_out"),
    Hint.BLURRY: ("real/blur/Levin09/blurred", "real/blur/skimage_clock_motion", "real_hr[blurry]"),
    Hint.NOISY: ("real/noise/Nam/noisy", "real/noise/DND", "real/noise/RNI15"),
}
CLEAN_SETS = ("pristine/CBSD68", "pristine/Kodak24", "pristine/McMaster", "pristine/skimage",
              "real/noise/Nam/gt", "real/blur/Levin09/gt", "real_hr[clean]")
BANDS = (("<=768", 0, 768), ("769-1600", 769, 1600), (">1600", 1601, 10**9))
# Metric that each hint's on threshold applies to, and which side raises the hint.
PRIMARY: dict[Hint, tuple[str, str]] = {
    Hint.BLURRY: ("blurry_on", "sharpness"),
    Hint.TOO_DARK: ("dark_on", "mean_luma"),
    Hint.TOO_BRIGHT: ("bright_on", "mean_luma"),
    Hint.NOISY: ("noisy_on", "colour_noise"),  # the luma rule (noisy_luma_on) is kept as it is
}
# The real_hr source groups (by file-name prefix; the rest are "wild"), each a data set of its own in
# the leave-one-out.
VIEWSCALE_GROUPS = {"documents": "phone-scan", "architecture": "SfM_quality_evaluation", "wild": ""}
# A second threshold of the same rule, refitted after the primary one (same side).
SECONDARY: dict[Hint, tuple[str, str]] = {Hint.BLURRY: ("blurry_acuity_on", "acuity")}
RAISES_BELOW = {Hint.BLURRY: True, Hint.TOO_DARK: True, Hint.TOO_BRIGHT: False, Hint.NOISY: False}
WASHED_OUT_MEDIAN = 0.55
WASHED_OUT_FLARE = 0.25
WASHED_OUT_SIDE = 1280


def shared_data() -> Path:
    return (shared_root() / "data").resolve()


def _real_hr(data: Path, label: str) -> list[Path]:
    with open(data / "real_hr" / "labels.csv", newline="") as fh:
        return sorted(data / "real_hr" / row["path"] for row in csv.DictReader(fh) if row["label"] == label)


def _files(data: Path, spec: str) -> list[Path]:
    if spec.startswith("real_hr["):
        return _real_hr(data, spec[len("real_hr["):-1])
    if spec == "synthetic/washed_out":
        return _real_hr(data, "clean")
    if spec.endswith("[dark]"):  # DICM: only the photos labels.csv flags as really dark
        folder = data / spec[: -len("[dark]")]
        with open(folder / "labels.csv", newline="") as fh:
            dark = {row["file"] for row in csv.DictReader(fh) if row["dark_by_luma_le_60"].strip() == "1"}
        return sorted(folder / name for name in dark)
    return sorted(p for p in (data / spec).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def _read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)  # grey stays grey (the grey noise path)
    if image is None:
        raise ValueError(f"cannot read {path}")
    if image.ndim == 3 and image.shape[2] == 3:
        image = cv2.imread(str(path))  # colour photos upright (EXIF orientation), as `score` reads them
    return image


def washed_out(bgr: np.ndarray) -> np.ndarray:
    """A washed-out frame as a camera makes one against bright light: in linear light, exposure
    gained until the median sits at ``WASHED_OUT_MEDIAN`` plus veiling flare (a share of the mean
    light spread over the frame, which lifts the shadows), under a highlight shoulder (so few pixels
    blow out), then JPEG q85; at 1280 px (exposure does not depend on scale)."""
    h, w = bgr.shape[:2]
    s = WASHED_OUT_SIDE / max(h, w)
    small = cv2.resize(bgr, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    lin = viewscale.to_linear(small)
    lin = lin * (WASHED_OUT_MEDIAN / max(float(np.median(lin)), 1e-3))
    lin = lin + WASHED_OUT_FLARE * float(lin.mean())
    white = 1.6  # the linear level the shoulder maps to white
    toned = lin * (1 + lin / white**2) / (1 + lin)
    _, data = cv2.imencode(".jpg", viewscale.to_srgb8(toned), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


# --- the textbook recipe ---------------------------------------------------------------------------

def textbook_hints(image: np.ndarray) -> frozenset[Hint]:
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    hints = set()
    if cv2.Laplacian(grey, cv2.CV_64F).var() < 100:
        hints.add(Hint.BLURRY)
    mean = float(grey.mean())
    if mean < 60:
        hints.add(Hint.TOO_DARK)
    if mean > 190:
        hints.add(Hint.TOO_BRIGHT)
    return frozenset(hints)


# --- evaluation ------------------------------------------------------------------------------------

@dataclasses.dataclass
class _Photo:
    metrics: FrameMetrics
    textbook: frozenset[Hint]
    long_side: int


def _measure(image: np.ndarray) -> _Photo:
    return _Photo(measure(image), textbook_hints(image), max(image.shape[:2]))


def _measure_set(files: Iterable[Path], transform: Callable[[np.ndarray], np.ndarray] | None = None
                 ) -> list[_Photo]:
    return [_measure(transform(_read(p)) if transform else _read(p)) for p in files]


def _rate(flags: list[bool]) -> float:
    return round(float(np.mean(flags)), 3) if flags else float("nan")


def _band(long_side: int) -> str:
    return next(name for name, lo, hi in BANDS if lo <= long_side <= hi)


def _by_band(photos: list[_Photo], flag: Callable[[_Photo], bool]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, _, _ in BANDS:
        inside = [flag(p) for p in photos if _band(p.long_side) == name]
        if inside:
            out[name] = {"n": len(inside), "rate": _rate(inside)}
    return out


def _figures(defects: dict[Hint, dict[str, list[_Photo]]], clean: dict[str, list[_Photo]],
             hints_of: Callable[[_Photo], frozenset[Hint]]) -> dict:
    out: dict = {"recall": {}, "recall_by_band": {}, "false_hint_rate": {}}
    for hint, sets in defects.items():
        per_set = {name: _rate([hint in hints_of(p) for p in photos]) for name, photos in sets.items()}
        everything = [p for photos in sets.values() for p in photos]
        per_set["all"] = _rate([hint in hints_of(p) for p in everything])
        out["recall"][hint.value] = per_set
        out["recall_by_band"][hint.value] = _by_band(everything, lambda p, h=hint: h in hints_of(p))
    for name, photos in clean.items():
        out["false_hint_rate"][name] = _rate([bool(hints_of(p)) for p in photos])
    everything = [p for photos in clean.values() for p in photos]
    out["false_hint_rate"]["all"] = _rate([bool(hints_of(p)) for p in everything])
    out["false_hint_rate_by_band"] = _by_band(everything, lambda p: bool(hints_of(p)))
    out["false_hints_by_hint"] = {h.value: _rate([h in hints_of(p) for p in everything]) for h in Hint}
    return out


def _refit(hint: Hint, clean: list[FrameMetrics], defect_sets: list[list[FrameMetrics]],
           th: Thresholds, which: tuple[str, str] | None = None) -> float:
    """The on threshold (``which``: field and metric, the hint's primary one by default) these photos
    alone would pick: the one maximising the mean recall over the defect sets (each set counts once,
    whatever its size) minus the share of clean photos raising this hint, midway between photos; of
    equal ones, the first from the side that raises every photo. The rule's other conditions stay as
    they are."""
    field, metric = which or PRIMARY[hint]
    sign = -1.0 if RAISES_BELOW[hint] else 1.0  # compare as "raised when sign * value > threshold"
    values = sorted({sign * getattr(m, metric) for ms in [clean, *defect_sets] for m in ms})
    candidates = [(a + b) / 2 for a, b in itertools.pairwise(values)] or values

    def raised(m: FrameMetrics, c: float) -> bool:
        return hint_condition(hint, m, dataclasses.replace(th, **_with_band(th, field, sign * c)))

    best, best_j = getattr(th, field), -np.inf
    for c in candidates[:: max(1, len(candidates) // 400)]:
        recall = np.mean([np.mean([raised(m, c) for m in ms]) for ms in defect_sets])
        j = recall - np.mean([raised(m, c) for m in clean])
        if j > best_j:
            best, best_j = sign * c, j
    return float(best)


def _with_band(th: Thresholds, field: str, on: float) -> dict[str, float]:
    """``field`` set to ``on``, its off threshold moved with it (the hysteresis band kept)."""
    off = field.replace("_on", "_off")
    return {field: on, off: on + getattr(th, off) - getattr(th, field)}


def _leave_one_out(defects: dict[Hint, dict[str, list[_Photo]]], clean: dict[str, list[_Photo]],
                   th: Thresholds) -> dict:
    clean_metrics = [p.metrics for photos in clean.values() for p in photos]
    out: dict = {}
    for hint, sets in defects.items():
        if len(sets) < 2:
            continue
        fields = [PRIMARY[hint][0]]
        out[hint.value] = {}
        for held_out, photos in sets.items():
            rest = [[p.metrics for p in ps] for name, ps in sets.items() if name != held_out]
            refit = dataclasses.replace(th, **_with_band(th, fields[0], _refit(hint, clean_metrics, rest, th)))
            if hint in SECONDARY:
                fields = [PRIMARY[hint][0], SECONDARY[hint][0]]
                refit = dataclasses.replace(refit, **_with_band(refit, fields[1], _refit(
                    hint, clean_metrics, rest, refit, SECONDARY[hint])))
            recall = _rate([hint_condition(hint, p.metrics, refit) for p in photos])
            threshold = " / ".join(f"{getattr(refit, f):.3g}" for f in fields)
            out[hint.value][held_out] = {"threshold": threshold, "recall": recall,
                                         "recall_by_band": _by_band(
                                             photos, lambda p, r=refit, h=hint: hint_condition(h, p.metrics, r))}
    return out


def _source_group(stem: str) -> str:
    """Which of ``VIEWSCALE_GROUPS`` a real_hr source photo belongs to."""
    return next((g for g, prefix in VIEWSCALE_GROUPS.items() if prefix and stem.startswith(prefix)), "wild")


def _viewscale_photos(data: Path, decode_to: int = 0) -> dict[tuple[str, str, str], list[_Photo]]:
    """The viewing-scale synthetic cases (scripts/viewscale.py), measured, by (defect, resolution,
    source group). ``decode_to``: read the cached JPEGs as `livecheck score` does for that view
    size (the 4K and native ones at half size); 0 reads every pixel, as a camera frame reaches the
    checks."""
    out: dict[tuple[str, str, str], list[_Photo]] = {}
    for case in viewscale.build(data):
        key = (case.defect, case.resolution, _source_group(case.source))
        out.setdefault(key, []).append(_measure(read_picture(case.path, decode_to=decode_to).image))
    return out


def _viewscale(photos: dict[tuple[str, str, str], list[_Photo]], th: Thresholds) -> dict:
    """Per defect and resolution, the rate of the hint the defect concerns (any of blurry and noisy
    for the sharp frames)."""
    cases: dict[tuple[str, str], list[_Photo]] = {}
    for (defect, resolution, _), ps in photos.items():
        cases.setdefault((defect, resolution), []).extend(ps)
    out: dict = {}
    for (defect, resolution), ps in cases.items():
        concern, must_raise = viewscale.EXPECT[defect]
        entry = out.setdefault(defect, {"hint": concern or "blurry or noisy", "must_raise": must_raise})
        concerned = {Hint.BLURRY, Hint.NOISY} if concern is None else {Hint(concern)}
        entry[resolution] = _rate([bool(frame_hints(p.metrics, th) & concerned) for p in ps])
    return out


def _video(th: Thresholds) -> dict:
    """The demo clip through the hint engine: per scripted defect, the share of its window's frames
    showing the hint; and the share of the clean stretches' frames showing any hint."""
    assets = resources.files("livecheck.assets")
    script = json.loads((assets / "demo.json").read_text())
    capture = cv2.VideoCapture(str(assets / "demo.mp4"))
    engine = HintEngine(th)
    shown: list[tuple[float, frozenset[Hint]]] = []
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            t = len(shown) / script["fps"]
            shown.append((t, engine.update(measure(frame), t)))
    finally:
        capture.release()
    # As tests/e2e/test_demo_clip.py: a hint may take the ramp and 1.5 s to come on and to clear.
    ramp, settle = script["ramp_s"], 1.5
    out: dict = {"frames": len(shown), "recall": {}}
    for seg in script["segments"]:
        inside = [Hint(seg["hint"]) in h for t, h in shown if seg["start_s"] + settle <= t <= seg["end_s"]]
        out["recall"][seg["hint"]] = _rate(inside)
    windows = [(s["start_s"] - ramp, s["end_s"] + ramp + settle) for s in script["segments"]]
    out["clean_frames_with_any_hint"] = _rate([bool(h) for t, h in shown
                                               if not any(a <= t <= b for a, b in windows)])
    return out


def _strictness(defects: dict[Hint, dict[str, list[_Photo]]], clean: dict[str, list[_Photo]]) -> dict:
    """Per ``--strictness`` preset: each hint's recall over all its defect sets, and the clean
    photos with any hint (every hint the preset enables, opt-in ones included), per band."""
    out: dict = {}
    for level, th in PRESETS.items():
        fig = _figures(defects, clean, lambda p, t=th: frame_hints(p.metrics, t))
        out[level.value] = {"recall": {h: per_set["all"] for h, per_set in fig["recall"].items()},
                            "false_hint_rate": fig["false_hint_rate"]["all"],
                            "false_hint_rate_by_band": fig["false_hint_rate_by_band"],
                            "enabled_opt_in": sorted(h.value for h in OPT_IN if th.enabled(h))}
    return out


def evaluate(quick: bool = False, thresholds: Thresholds | None = None, score_decode: bool = False) -> dict:
    """All figures as a dict (raises FileNotFoundError when ../shared/data is absent).

    ``quick`` leaves out the viewing-scale synthetic test (the real-photo figures stay);
    ``score_decode`` reads its renders as `livecheck score` decodes them."""
    th = thresholds or Thresholds()
    data = shared_data()
    if not data.is_dir():
        raise FileNotFoundError(f"shared data not found at {data} (set LIVECHECK_SHARED)")
    cv2.setNumThreads(1)
    defects = {hint: {spec: _measure_set(_files(data, spec),
                                         washed_out if spec == "synthetic/washed_out" else None)
                      for spec in specs}
               for hint, specs in DEFECT_SETS.items()}
    clean = {spec: _measure_set(_files(data, spec)) for spec in CLEAN_SETS}
    synthetic = {} if quick else _viewscale_photos(data, VIEW_SIZE if score_decode else 0)
    if synthetic:  # a second generator of each defect for the leave-one-out (not in the real recall)
        lodo = {**defects, Hint.BLURRY: {**defects[Hint.BLURRY], **{
                    f"synthetic/view blur {group}": [p for (d, _, g), ps in synthetic.items()
                                                     if d in ("gauss2.5", "motion8") and g == group for p in ps]
                    for group in VIEWSCALE_GROUPS}},
                Hint.NOISY: {**defects[Hint.NOISY], "synthetic/view noise5": [
                    p for (d, _, _), ps in synthetic.items() if d == "noise5" for p in ps]}}
    else:
        lodo = defects
    return {
        "ours": _figures(defects, clean, lambda p: frame_hints(p.metrics, th)),
        "textbook": _figures(defects, clean, lambda p: p.textbook),
        "viewing_scale_synthetic": _viewscale(synthetic, th),
        "leave_one_dataset_out": _leave_one_out(lodo, clean, th),
        "video": _video(th),
        "strictness": _strictness(defects, clean),
        "counts": {"clean": {k: len(v) for k, v in clean.items()},
                   **{h.value: {k: len(v) for k, v in s.items()} for h, s in defects.items()}},
    }


def _short(spec: str) -> str:
    return "/".join(spec.split("/")[-2:])


def _bands(by_band: dict) -> str:
    return "  ".join(f"{k}: {v['rate']:.2f} (n={v['n']})" for k, v in by_band.items())


def _print_strictness(table: dict) -> None:
    levels = list(table)
    print("\n== strictness presets (the same photos judged under each)")
    print("| figure | " + " | ".join(levels) + " |")
    print("| --- |" + " --- |" * len(levels))
    hints = list(table[levels[0]]["recall"])
    print(f"| recall: {' / '.join(hints)} | "
          + " | ".join(" / ".join(f"{table[lv]['recall'][h]:.2f}" for h in hints) for lv in levels) + " |")
    bands = [name for name, _, _ in BANDS if name in table[levels[0]]["false_hint_rate_by_band"]]
    print(f"| good photos with any hint: all / {' / '.join(bands)} | " + " | ".join(
        f"{100 * table[lv]['false_hint_rate']:.1f}% / " + " / ".join(
            f"{100 * table[lv]['false_hint_rate_by_band'][b]['rate']:.1f}%" for b in bands) for lv in levels) + " |")
    print("  opt-in hints on: " + "  ".join(f"{lv}={','.join(table[lv]['enabled_opt_in']) or '-'}"
                                            for lv in levels))


def _print(result: dict) -> None:
    print(f"photos: {result['counts']}")
    for who in ("ours", "textbook"):
        fig = result[who]
        print(f"\n== {who}")
        for hint, per_set in fig["recall"].items():
            sets = "  ".join(f"{_short(k)}={v:.2f}" for k, v in per_set.items() if k != "all")
            print(f"  recall {hint:<11} {per_set['all']:.2f}   ({sets})")
            print(f"         {'':<11} by band: {_bands(fig['recall_by_band'][hint])}")
        fr = fig["false_hint_rate"]
        sets = "  ".join(f"{_short(k)}={v:.2f}" for k, v in fr.items() if k != "all")
        print(f"  clean photos with any hint: {fr['all']:.3f}   ({sets})")
        print(f"     by band: {_bands(fig['false_hint_rate_by_band'])}")
        print(f"     by hint: {fig['false_hints_by_hint']}")
    if result["viewing_scale_synthetic"]:
        print("\n== viewing-scale synthetic test (real_hr clean photos through a camera pipeline)")
        for defect, v in result["viewing_scale_synthetic"].items():
            rates = "  ".join(f"{r}={v[r]:.2f}" for r in viewscale.RESOLUTIONS if r in v)
            word = "recall" if v["must_raise"] else "false"
            print(f"  {defect:<9} {v['hint']:<15} {word:<6} {rates}")
    video = result["video"]
    print(f"\n== compressed video: assets/demo.mp4 ({video['frames']} frames) through the hint engine")
    print("  share of each defect window showing its hint: "
          + "  ".join(f"{k}={v:.2f}" for k, v in video["recall"].items()))
    print(f"  clean stretches with any hint: {video['clean_frames_with_any_hint']:.3f}")
    _print_strictness(result["strictness"])
    print("\n== leave one data set out (threshold re-chosen without it -> its recall)")
    for hint, sets in result["leave_one_dataset_out"].items():
        for name, v in sets.items():
            print(f"  {hint:<11} {name:<34} threshold={v['threshold']:<8} recall={v['recall']:.2f}   "
                  f"{_bands(v['recall_by_band'])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="real photos only: no viewing-scale "
                        "synthetic test")
    parser.add_argument("--strictness", action="store_true", help="only the strictness presets' table "
                        "(real photos only)")
    parser.add_argument("--score-decode", action="store_true", help="read the viewing-scale renders as "
                        "`livecheck score` decodes them (large JPEGs at half size), not every pixel")
    args = parser.parse_args(argv)
    try:
        result = evaluate(quick=args.quick or args.strictness, score_decode=args.score_decode)
    except FileNotFoundError as exc:
        print(f"eval_hints: {exc}", file=sys.stderr)
        return 2
    if args.strictness:
        result = {"strictness": result["strictness"]}
    if args.json:
        print(json.dumps(result, indent=1))
    elif args.strictness:
        _print_strictness(result["strictness"])
    else:
        _print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
