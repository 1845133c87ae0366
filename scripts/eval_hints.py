"""How well the per-frame hints work on real photos, next to the textbook recipe.

    python scripts/eval_hints.py [--json]

Reads ../shared/data (or $LIVECHECK_SHARED/data) in place. For each hint: recall on the photos that
have that defect, per data set and overall; and the false-hint rate: the share of clean photos
(pristine/*, Nam/gt, Levin09/gt) that get ANY hint. The same figures for the textbook recipe
(Laplacian variance < 100 = blurry, mean luma < 60 / > 190 = too dark / too bright, no noise check).
Then compressed video: the bundled demo clip (assets/demo.mp4, mp4v) replayed through the hint
engine: the share of frames in each scripted defect's window that show its hint, and the share of
frames of the clean stretches that show any hint.

Also, separately:
* synthetic blur (Gaussian sigma 3 px, linear motion 15 px) of the Kodak24 and McMaster photos;
* a resolution check: each clean photo and its Gaussian-blurred copy, upscaled x2 and x4 (bicubic,
  i.e. the same scene at a higher resolution), should get the same hints as at 1x. `noisy` is left
  out: noise is a full-resolution property and upscaling smooths it, as a finer sensor would.
* leave-one-dataset-out: each hint's on threshold re-chosen from the clean photos and the other
  defect sets only (maximising recall minus false-hint rate), and the held-out set's recall under it
  (for blurry, the synthetic blur counts as a third set: the real ones are one set and one photo;
  for noisy, noisy_on is re-chosen, with the luma rule kept as it is).

`evaluate() -> dict` is what scripts/evaluate.py calls.
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from livecheck.fastchecks import FrameMetrics, frame_hints, hint_condition, measure
from livecheck.hint import Hint
from livecheck.hint_engine import HintEngine
from livecheck.thresholds import Thresholds

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}

DEFECT_SETS: dict[Hint, tuple[str, ...]] = {
    Hint.TOO_DARK: ("real/dark/SICE_under", "real/dark/DICM[dark]"),
    Hint.TOO_BRIGHT: ("real/bright/SICE_over",),
    Hint.BLURRY: ("real/blur/Levin09/blurred", "real/blur/skimage_clock_motion"),
    Hint.NOISY: ("real/noise/Nam/noisy", "real/noise/DND", "real/noise/RNI15"),
}
CLEAN_SETS = ("pristine/CBSD68", "pristine/Kodak24", "pristine/McMaster", "pristine/skimage",
              "real/noise/Nam/gt", "real/blur/Levin09/gt")
SYNTH_BLUR_SOURCES = ("pristine/Kodak24", "pristine/McMaster")
# Metric that each hint's on threshold applies to, and which side raises the hint.
PRIMARY: dict[Hint, tuple[str, str]] = {
    Hint.BLURRY: ("blurry_on", "sharpness"),
    Hint.TOO_DARK: ("dark_on", "mean_luma"),
    Hint.TOO_BRIGHT: ("bright_on", "mean_luma"),
    Hint.NOISY: ("noisy_on", "colour_noise"),  # the luma rule (noisy_luma_on) is kept as it is
}
RAISES_BELOW = {Hint.BLURRY: True, Hint.TOO_DARK: True, Hint.TOO_BRIGHT: False, Hint.NOISY: False}


def shared_data() -> Path:
    root = os.environ.get("LIVECHECK_SHARED")
    base = Path(root) if root else Path(__file__).resolve().parents[1] / ".." / "shared"
    return (base / "data").resolve()


def _files(data: Path, spec: str) -> list[Path]:
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
    return image


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


# --- synthetic distortions -------------------------------------------------------------------------

def gaussian_blur(image: np.ndarray, sigma: float = 3.0) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigma)


def motion_blur(image: np.ndarray, length: int = 15) -> np.ndarray:
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    return cv2.filter2D(image, -1, kernel)


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    h, w = image.shape[:2]
    return cv2.resize(image, (w * factor, h * factor), interpolation=cv2.INTER_CUBIC)


# --- evaluation ------------------------------------------------------------------------------------

@dataclasses.dataclass
class _Photo:
    metrics: FrameMetrics
    textbook: frozenset[Hint]


def _measure_set(files: list[Path],
                 transform: Callable[[np.ndarray], np.ndarray] | None = None) -> list[_Photo]:
    photos = []
    for path in files:
        image = _read(path)
        if transform is not None:
            image = transform(image)
        photos.append(_Photo(measure(image), textbook_hints(image)))
    return photos


def _rate(flags: list[bool]) -> float:
    return round(float(np.mean(flags)), 3) if flags else float("nan")


def _figures(defects: dict[Hint, dict[str, list[_Photo]]], clean: dict[str, list[_Photo]],
             hints_of: Callable[[_Photo], frozenset[Hint]]) -> dict:
    out: dict = {"recall": {}, "false_hint_rate": {}}
    for hint, sets in defects.items():
        per_set = {name: _rate([hint in hints_of(p) for p in photos]) for name, photos in sets.items()}
        per_set["all"] = _rate([hint in hints_of(p) for photos in sets.values() for p in photos])
        out["recall"][hint.value] = per_set
    for name, photos in clean.items():
        out["false_hint_rate"][name] = _rate([bool(hints_of(p)) for p in photos])
    everything = [p for photos in clean.values() for p in photos]
    out["false_hint_rate"]["all"] = _rate([bool(hints_of(p)) for p in everything])
    out["false_hints_by_hint"] = {h.value: _rate([h in hints_of(p) for p in everything]) for h in Hint}
    return out


def _refit(hint: Hint, clean: list[FrameMetrics], defect: list[FrameMetrics], th: Thresholds) -> float:
    """The on threshold these photos alone would pick: the one maximising Youden's J (recall on the
    defect photos minus the share of clean photos raising this hint), midway between photos."""
    _, metric = PRIMARY[hint]
    sign = -1.0 if RAISES_BELOW[hint] else 1.0  # compare as "raised when sign * value > threshold"
    # Photos the other rule raises anyway (noisy's luma rule) count as found, and as false alarms
    # whatever the threshold, so they do not move the choice.
    clean_v = sign * np.array([getattr(m, metric) for m in clean
                               if _guards_pass(hint, m, th) and not _raised_anyway(hint, m, th)])
    defect_v = sign * np.array([np.inf * sign if _raised_anyway(hint, m, th)
                                else getattr(m, metric) if _guards_pass(hint, m, th) else -np.inf * sign
                                for m in defect])
    values = np.unique(np.concatenate([clean_v, defect_v[np.isfinite(defect_v)]]))
    candidates = (values[:-1] + values[1:]) / 2
    n_clean = len(clean)
    j = [np.mean(defect_v > c) - np.sum(clean_v > c) / n_clean for c in candidates]
    return float(sign * candidates[int(np.argmax(j))])


def _guards_pass(hint: Hint, m: FrameMetrics, th: Thresholds) -> bool:
    if hint is Hint.BLURRY:
        return m.edge_strength >= th.blurry_min_edges
    if hint is Hint.TOO_BRIGHT:
        return m.p95 >= th.bright_p95
    return True


def _raised_anyway(hint: Hint, m: FrameMetrics, th: Thresholds) -> bool:
    return hint is Hint.NOISY and m.luma_noise > th.noisy_luma_on


def _leave_one_out(defects: dict[Hint, dict[str, list[_Photo]]], clean: dict[str, list[_Photo]],
                   th: Thresholds) -> dict:
    clean_metrics = [p.metrics for photos in clean.values() for p in photos]
    out: dict = {}
    for hint, sets in defects.items():
        if len(sets) < 2:
            continue
        field, _ = PRIMARY[hint]
        out[hint.value] = {}
        for held_out, photos in sets.items():
            rest = [p.metrics for name, ps in sets.items() if name != held_out for p in ps]
            on = _refit(hint, clean_metrics, rest, th)
            off = field.replace("_on", "_off")  # keep the hysteresis band as wide as the default's
            refit = dataclasses.replace(th, **{field: on, off: on + getattr(th, off) - getattr(th, field)})
            recall = _rate([hint_condition(hint, p.metrics, refit) for p in photos])
            out[hint.value][held_out] = {"threshold": round(getattr(refit, field), 3), "recall": recall}
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
    # As tests/test_demo_clip.py: a hint may take the ramp and 1.5 s to come on and to clear.
    ramp, settle = script["ramp_s"], 1.5
    out: dict = {"frames": len(shown), "recall": {}}
    for seg in script["segments"]:
        inside = [Hint(seg["hint"]) in h for t, h in shown if seg["start_s"] + settle <= t <= seg["end_s"]]
        out["recall"][seg["hint"]] = _rate(inside)
    windows = [(s["start_s"] - ramp, s["end_s"] + ramp + settle) for s in script["segments"]]
    out["clean_frames_with_any_hint"] = _rate([bool(h) for t, h in shown
                                               if not any(a <= t <= b for a, b in windows)])
    return out


def evaluate(quick: bool = False, thresholds: Thresholds | None = None) -> dict:
    """All figures as a dict (raises FileNotFoundError when ../shared/data is absent).

    ``quick`` leaves out the synthetic-blur and resolution checks (the real-photo figures stay)."""
    th = thresholds or Thresholds()
    data = shared_data()
    if not data.is_dir():
        raise FileNotFoundError(f"shared data not found at {data} (set LIVECHECK_SHARED)")
    cv2.setNumThreads(1)
    defects = {hint: {spec: _measure_set(_files(data, spec)) for spec in specs}
               for hint, specs in DEFECT_SETS.items()}
    clean = {spec: _measure_set(_files(data, spec)) for spec in CLEAN_SETS}
    ours = _figures(defects, clean, lambda p: frame_hints(p.metrics, th))
    textbook = _figures(defects, clean, lambda p: p.textbook)

    synth_files = [] if quick else [f for spec in SYNTH_BLUR_SOURCES for f in _files(data, spec)]
    synthetic = {}
    synthetic_photos: list[_Photo] = []
    for name, transform in (("gaussian_sigma3", gaussian_blur), ("motion_15px", motion_blur)):
        photos = _measure_set(synth_files, transform)
        synthetic_photos += photos
        if not photos:
            continue
        synthetic[name] = {
            "ours": _rate([Hint.BLURRY in frame_hints(p.metrics, th) for p in photos]),
            "textbook": _rate([Hint.BLURRY in p.textbook for p in photos]),
        }

    res_files = [] if quick else [f for spec in CLEAN_SETS[:4] for f in _files(data, spec)][::4]
    agree: list[bool] = []
    sharp_change: list[float] = []
    for path in res_files:
        for variant in (lambda im: im, gaussian_blur):
            base = variant(_read(path))
            m1 = measure(base)
            hints = frame_hints(m1, th) - {Hint.NOISY}
            for k in (2, 4):
                mk = measure(upscale(base, k))
                agree.append(frame_hints(mk, th) - {Hint.NOISY} == hints)
                sharp_change.append(abs(mk.sharpness - m1.sharpness) / max(m1.sharpness, 1e-6))

    return {
        "ours": ours,
        "textbook": textbook,
        "synthetic_blur_recall": synthetic,
        "resolution_agreement": {"pairs": len(agree), "same_hints": _rate(agree),
                                 "median_sharpness_change": round(float(np.median(sharp_change)), 3)
                                 if sharp_change else None},
        "leave_one_dataset_out": _leave_one_out(
            {**defects, Hint.BLURRY: {**defects[Hint.BLURRY], **({"synthetic blur": synthetic_photos}
                                                                  if synthetic_photos else {})}},
            clean, th),
        "video": _video(th),
        "counts": {"clean": sum(len(v) for v in clean.values()),
                   **{h.value: sum(len(v) for v in s.values()) for h, s in defects.items()}},
    }


def _short(spec: str) -> str:
    return "/".join(spec.split("/")[-2:])


def _print(result: dict) -> None:
    print(f"photos: {result['counts']}")
    for who in ("ours", "textbook"):
        fig = result[who]
        print(f"\n== {who}")
        for hint, per_set in fig["recall"].items():
            sets = "  ".join(f"{_short(k)}={v:.2f}" for k, v in per_set.items() if k != "all")
            print(f"  recall {hint:<11} {per_set['all']:.2f}   ({sets})")
        fr = fig["false_hint_rate"]
        sets = "  ".join(f"{_short(k)}={v:.2f}" for k, v in fr.items() if k != "all")
        print(f"  clean photos with any hint: {fr['all']:.3f}   ({sets})")
        print(f"  ... by hint: {fig['false_hints_by_hint']}")
    if result["synthetic_blur_recall"]:
        print("\n== synthetic blur of Kodak24 + McMaster (recall)")
    for name, v in result["synthetic_blur_recall"].items():
        print(f"  {name:<16} ours={v['ours']:.2f}  textbook={v['textbook']:.2f}")
    ra = result["resolution_agreement"]
    if ra["pairs"]:
        print(f"\n== same hints (noisy aside) at 1x vs 2x, 4x: {ra['same_hints']:.3f} of {ra['pairs']} "
              f"pairs; median relative sharpness change {ra['median_sharpness_change']:.3f}")
    video = result["video"]
    print(f"\n== compressed video: assets/demo.mp4 ({video['frames']} frames) through the hint engine")
    print("  share of each defect window showing its hint: "
          + "  ".join(f"{k}={v:.2f}" for k, v in video["recall"].items()))
    print(f"  clean stretches with any hint: {video['clean_frames_with_any_hint']:.3f}")
    print("\n== leave one data set out (threshold re-chosen without it -> its recall)")
    for hint, sets in result["leave_one_dataset_out"].items():
        for name, v in sets.items():
            print(f"  {hint:<11} {name:<34} threshold={v['threshold']:<8} recall={v['recall']:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="real photos only: no synthetic blur, "
                        "no resolution check")
    args = parser.parse_args(argv)
    try:
        result = evaluate(quick=args.quick)
    except FileNotFoundError as exc:
        print(f"eval_hints: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        _print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
