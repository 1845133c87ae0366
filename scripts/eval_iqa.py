"""Does each quality model rank distortion strength correctly on photos it never saw?

    .venv/bin/python scripts/eval_iqa.py [--quick] [--json] [--models diqa,...] [--diqa FILE.tflite]
                                         [--generator own|alt|both] [--photos heldout|real_hr|both]

On the held-out pristine photos (scripts/distortions.split_photos), every distortion kind is applied
at the fixed levels 1..LEVELS. For each photo and kind, the Spearman rank correlation (SROCC)
between a model's quality (oriented so higher is better) and the *negated* level is computed
(1.0 = the model orders the five strengths perfectly); these are averaged per kind, and the overall
figure is the mean over kinds. Every model in ``livecheck.models.ModelName`` that loads is
measured, and so is the peer users would reach for: OpenCV contrib's BRISQUE with its LIVE model.

Two generators: ``own`` (scripts/distortions.py, the one the models are trained on) and ``alt``
(scripts/distortions_alt.py, albumentations' implementations, never used for training or model
choice). A model that scores well on ``own`` but not on ``alt`` has learned the generator, not
quality, so the ``alt`` figure (``cross_generator`` in the JSON) is the headline. Both run on the
held-out pristine photos and on the ``sharp/`` photos of ``../shared/data/real_hr`` (resized so the
long side is REAL_HR_LONG_SIDE px, to keep the run affordable; camera-sized photos, unlike the small
pristine ones). The top-level ``models`` key stays the own-generator, held-out figure.

A sanity check on real degradations is added: the fraction of (clean, degraded) pairs of real
photos -- Nam et al.'s high-ISO noise crops and Levin et al.'s camera-shake blur -- in which the
clean photo gets the better score.
"""
from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from livecheck.dev import distortions
from livecheck.fastchecks import assess
from livecheck.models import ModelName, ModelUnavailable, load_model
from livecheck.quality import overall_quality

PEER_NAME = "opencv_brisque_live"
QUALITY_NAME = "quality"
OPENCV_QUALITY_DIR = Path("/usr/share/opencv4/quality")
EVAL_SEED = 20240611
QUICK_PHOTOS = 6
QUICK_REAL_HR = 3
REAL_HR_LONG_SIDE = 1024
GENERATORS = ("own", "alt")
PHOTO_SETS = ("heldout", "real_hr")


def _alt_generator():
    """scripts/distortions_alt.py, or None when albumentations is not installed."""
    try:
        from livecheck.dev import distortions_alt
    except ImportError:
        return None
    return distortions_alt


def real_hr_photos(shared_root: Path | None = None) -> list[Path]:
    """The ``sharp/`` photos listed in ``<shared>/data/real_hr/labels.csv`` (clean camera photos)."""
    root = (shared_root or distortions.default_shared_root()) / "data" / "real_hr"
    labels = root / "labels.csv"
    if not labels.is_file():
        raise FileNotFoundError(f"real_hr labels not found at {labels}")
    import csv
    with labels.open(newline="") as fh:
        return [root / row["path"] for row in csv.DictReader(fh)
                if row["path"].startswith("sharp/") and (root / row["path"]).is_file()]


def load_resized(path: Path) -> np.ndarray:
    """A real_hr photo with its long side brought down to REAL_HR_LONG_SIDE px (INTER_AREA)."""
    img = distortions.load_photo(path)
    scale = REAL_HR_LONG_SIDE / max(img.shape[:2])
    if scale >= 1.0:
        return img
    size = (round(img.shape[1] * scale), round(img.shape[0] * scale))
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


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
    last: tuple[np.ndarray | None, dict[str, float]] = (None, {})
    """The last image a model scorer saw and its raw output, for the ``quality`` scorer to reuse."""


def _model_scorer(name: ModelName, weights_dir: Path | None = None) -> Scorer | str:
    try:
        model = load_model(name, weights_dir)
    except ModelUnavailable as exc:
        return str(exc)
    sign = 1.0 if model.info.higher_is_better else -1.0

    def quality(bgr: np.ndarray) -> float:
        out = model.score(bgr)
        scorer.last = (bgr, out)
        return sign * float(out["mean"] if "mean" in out else out["score"])

    scorer = Scorer(str(name), quality, model.close)
    return scorer


def _fusion_scorer(model_scorers: list[Scorer]) -> Scorer:
    """livecheck's ``quality`` as ``score`` computes it: the fast checks, the models, the hints.

    The models' raw outputs for the same image are taken from their own scorers (which run first
    on every sample), so the fusion costs only the fast checks.
    """
    def quality(bgr: np.ndarray) -> float:
        outputs = {}
        for s in model_scorers:
            if s.last[0] is not bgr:
                s.quality(bgr)
            outputs[s.name] = s.last[1]
        a = assess(bgr)
        return overall_quality(a.metrics.as_dict(), a.hints, outputs)

    return Scorer(QUALITY_NAME, quality, lambda: None)


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


def _per_kind(scores: dict[tuple[str, str], list[tuple[float, float]]]) -> dict[str, float]:
    """Mean over photos of SROCC(quality, -level), per kind."""
    per_kind: dict[str, list[float]] = {}
    for (_, kind), pairs in scores.items():
        levels, qs = np.array(pairs).T
        per_kind.setdefault(kind, []).append(spearman(qs, -levels))
    return {k: float(np.mean(v)) for k, v in per_kind.items()}


def _score_run(scorers: list[Scorer], samples, count_time: bool) -> dict[str, dict[str, float]]:
    """Score every sample with every model; per model, SROCC per kind."""
    scores: dict[str, dict[tuple[str, str], list[tuple[float, float]]]] = {s.name: {} for s in scorers}
    for sample in samples:
        key = (f"{sample.photo.parent.name}/{sample.photo.name}", sample.kind)
        for s in scorers:
            t = time.perf_counter()
            q = s.quality(sample.image)
            if count_time:
                s.seconds += time.perf_counter() - t
                s.calls += 1
            scores[s.name].setdefault(key, []).append((sample.level, q))
    return {name: _per_kind(sc) for name, sc in scores.items()}


def build_scorers(names: tuple[str, ...] | None = None,
                  weights_dirs: dict[ModelName, Path] | None = None) -> tuple[list[Scorer], dict[str, str]]:
    """The scorers asked for (default: every model, the OpenCV peer and ``quality``), and why the
    others could not load. ``quality`` needs every model as an input, so asking for it loads them."""
    scorers: list[Scorer] = []
    unavailable: dict[str, str] = {}
    wanted = set(names) if names is not None else {*map(str, ModelName), PEER_NAME, QUALITY_NAME}
    candidates = {str(n): _model_scorer(n, (weights_dirs or {}).get(n)) for n in ModelName
                  if str(n) in wanted or QUALITY_NAME in wanted}
    if PEER_NAME in wanted:
        candidates[PEER_NAME] = _peer_scorer()
    for name, candidate in candidates.items():
        if isinstance(candidate, Scorer):
            scorers.append(candidate)
        else:
            unavailable[name] = candidate
    if QUALITY_NAME in wanted:  # over whichever models loaded, as `livecheck score` would
        models_loaded = [s for s in scorers if s.name in {str(n) for n in ModelName}]
        scorers.append(_fusion_scorer(models_loaded))
    return scorers, unavailable


def _photo_lists(photo_sets: tuple[str, ...], quick: bool,
                 shared_root: Path | None) -> dict[str, tuple[list[Path], Callable[[Path], np.ndarray]]]:
    """Per photo set asked for: its photos (every QUICK-th one with ``quick``) and how to load them."""
    out: dict[str, tuple[list[Path], Callable[[Path], np.ndarray]]] = {}
    if "heldout" in photo_sets:
        _, heldout = distortions.split_photos(shared_root)
        if quick:
            heldout = heldout[::max(1, len(heldout) // QUICK_PHOTOS)][:QUICK_PHOTOS]
        out["heldout"] = (heldout, distortions.load_photo)
    if "real_hr" in photo_sets:
        hr = real_hr_photos(shared_root)
        if quick:
            hr = hr[::max(1, len(hr) // QUICK_REAL_HR)][:QUICK_REAL_HR]
        out["real_hr"] = (hr, load_resized)
    return out


def evaluate(quick: bool = False, shared_root: Path | None = None,
             names: tuple[str, ...] | None = None,
             weights_dirs: dict[ModelName, Path] | None = None,
             generators: tuple[str, ...] | None = None,
             photo_sets: tuple[str, ...] = ("heldout",)) -> dict:
    """SROCC per kind and overall for every loadable model and the OpenCV BRISQUE peer.

    ``names`` limits the run to those models (``ModelName`` values and/or the peer's name);
    ``weights_dirs`` loads a model from another folder than the shipped ``models/``.
    ``generators`` (default: both when albumentations imports, else ``own``) and ``photo_sets``
    choose the runs reported under ``runs``; the top-level keys stay the own/held-out run whenever
    it is part of the selection.
    """
    alt = _alt_generator()
    notes: list[str] = []
    if generators is None:
        generators = GENERATORS if alt is not None else ("own",)
        if alt is None:
            notes.append("albumentations not installed: only the own generator was run")
    if "alt" in generators and alt is None:
        raise ImportError("--generator alt needs albumentations (see the Makefile's --no-deps install)")
    photo_lists = _photo_lists(photo_sets, quick, shared_root)
    if "real_hr" in photo_lists:
        notes.append(f"real_hr photos resized to a long side of {REAL_HR_LONG_SIDE} px")
    scorers, unavailable = build_scorers(names, weights_dirs)
    modules = {"own": distortions, "alt": alt}
    t0 = time.time()
    real: dict[str, dict[str, float]] = {}
    runs: dict[str, dict] = {}
    try:
        for gen in generators:
            module = modules[gen]
            for set_name, (photos, load) in photo_lists.items():
                main_run = gen == "own" and set_name == "heldout"
                samples = module.iter_samples(photos, seed=EVAL_SEED, load=load)
                per_model = _score_run(scorers, samples, count_time=main_run)
                runs[f"{gen}/{set_name}"] = {
                    "generator": gen, "photo_set": set_name, "photos": len(photos),
                    "kinds": list(module.KINDS),
                    "models": {n: {"srocc_mean": float(np.mean(list(m.values()))), "srocc_per_kind": m}
                               for n, m in per_model.items()},
                }
        pairs = _real_pairs(shared_root or distortions.default_shared_root())
        for s in scorers:
            real[s.name] = {
                set_name: float(np.mean([s.quality(clean) > s.quality(bad) for clean, bad in set_pairs]))
                for set_name, set_pairs in pairs.items() if set_pairs}
    finally:
        for s in scorers:
            s.close()
    main_key = "own/heldout" if "own/heldout" in runs else next(iter(runs))
    main = runs[main_key]
    models: dict[str, dict] = {}
    for s in scorers:
        means = main["models"][s.name]["srocc_per_kind"]
        models[s.name] = {
            "srocc_mean": float(np.mean(list(means.values()))),
            "srocc_min_kind": min(means, key=means.get),
            "srocc_per_kind": means,
            "ms_per_image": 1e3 * s.seconds / max(1, s.calls),
            "real_pairs_clean_wins": real.get(s.name, {}),
        }
    cross = {key: {n: m["srocc_mean"] for n, m in run["models"].items()}
             for key, run in runs.items() if run["generator"] == "alt"}
    return {
        "photos": main["photos"],
        "levels": list(range(1, distortions.LEVELS + 1)),
        "kinds": main["kinds"],
        "seconds": time.time() - t0,
        "models": models,
        "unavailable": unavailable,
        "main_run": main_key,
        "runs": runs,
        "cross_generator": cross,
        "notes": notes,
    }


class MosError(ValueError):
    """A rated folder that cannot be measured: ``str()`` is one line for the user."""


MOS_DIRECTIONS = ("higher", "lower")
_DIRECTION_BY_COLUMN = {"mos": "higher", "dmos": "lower"}


def _mos_csv(folder: Path) -> Path:
    if folder.is_file() and folder.suffix.lower() == ".csv":
        return folder
    if not folder.is_dir():
        raise MosError(f"{folder}: no such folder")
    csvs = sorted(folder.glob("*.csv"))
    if len(csvs) != 1:
        found = ", ".join(p.name for p in csvs) or "none"
        raise MosError(f"{folder}: needs exactly one .csv of file,score (found {found}); or pass the .csv itself")
    return csvs[0]


def _mos_row(path: Path, line: int, row: list[str], dir_col: int | None, said: set[str]) -> tuple[str, float]:
    """(file, score) of one CSV row; a direction column's value is added to ``said``."""
    if len(row) < 2 or not row[0].strip():
        raise MosError(f"{path}:{line}: expected file,score, got {','.join(row)!r}")
    try:
        score = float(row[1])
    except ValueError:
        raise MosError(f"{path}:{line}: score {row[1]!r} is not a number") from None
    if not math.isfinite(score):
        raise MosError(f"{path}:{line}: score {row[1]!r} is not a finite number")
    if dir_col is not None:
        if len(row) <= dir_col or row[dir_col].strip().lower() not in MOS_DIRECTIONS:
            raise MosError(f"{path}:{line}: the direction column must read higher or lower")
        said.add(row[dir_col].strip().lower())
    return row[0].strip(), score


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_mos(folder: Path, direction: str | None = None) -> tuple[list[tuple[Path, float]], bool, Path]:
    """The rated images of ``folder`` (paths relative to its CSV), whether higher ratings are better,
    and the CSV read.

    The CSV has a file column and a score column, with or without a header. A header may say the
    direction: a score column named ``mos`` (higher is better) or ``dmos`` (lower is better), or a
    ``direction`` column reading ``higher`` or ``lower``. ``direction`` (``--mos-direction``) says it
    otherwise, and must agree with the header where both do. Raises MosError (one line) for a
    malformed CSV, an unknown or conflicting direction, and files that do not exist.
    """
    import csv

    path = _mos_csv(folder)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            table = [row for row in csv.reader(fh) if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise MosError(f"{path}: cannot read the CSV ({exc})") from exc
    if not table:
        raise MosError(f"{path}: empty CSV, expected rows of file,score")
    header: list[str] = []
    if len(table[0]) > 1 and not _is_number(table[0][1]):  # a header row
        header = [c.strip().lower() for c in table[0]]
        table = table[1:]
    said = {_DIRECTION_BY_COLUMN[header[1]]} if len(header) > 1 and header[1] in _DIRECTION_BY_COLUMN else set()
    dir_col = header.index("direction") if "direction" in header else None
    rated = [(path.parent / file, score) for file, score in
             (_mos_row(path, line, row, dir_col, said) for line, row in enumerate(table, start=2 if header else 1))]
    if len(rated) < 3:
        raise MosError(f"{path}: {len(rated)} rated files; at least 3 are needed for a correlation")
    if direction is not None:
        said.add(direction)
    if len(said) != 1:
        raise MosError(f"{path}: " + ("the header and --mos-direction disagree on the direction" if said else
                                      "say which way the scores run: --mos-direction higher|lower, "
                                      "or a header naming the column mos or dmos"))
    missing = [p for p, _ in rated if not p.is_file()]
    if missing:
        raise MosError(f"{path}: {len(missing)} of {len(rated)} listed files do not exist "
                       f"(first: {missing[0].relative_to(path.parent)})")
    return rated, said.pop() == "higher", path


def evaluate_mos(folder: Path, direction: str | None = None, names: tuple[str, ...] | None = None,
                 warn: Callable[[str], None] = lambda line: print(line, file=sys.stderr)) -> dict:
    """SROCC and PLCC between each measure (oriented higher-is-better) and the human ratings.

    Unreadable images are skipped, each with one ``warn`` line. PLCC is on the raw outputs (no
    logistic fit first), so it rewards a measure that is also linear in the ratings.
    """
    from scipy.stats import pearsonr, spearmanr

    from livecheck.imageio import ImageReadError, read_image

    rated, higher, csv_path = read_mos(folder, direction)
    scorers, unavailable = build_scorers(names)
    kept: list[float] = []
    values: dict[str, list[float]] = {s.name: [] for s in scorers}
    skipped: list[str] = []
    try:
        for path, rating in rated:
            try:
                image = read_image(path)
            except ImageReadError as exc:
                skipped.append(str(path))
                warn(f"eval_iqa: {path}: skipped ({exc})")
                continue
            kept.append(rating if higher else -rating)
            for s in scorers:
                values[s.name].append(s.quality(image))
    finally:
        for s in scorers:
            s.close()
    if len(kept) < 3:
        raise MosError(f"{csv_path}: only {len(kept)} readable images; at least 3 are needed")
    out: dict[str, dict[str, float]] = {}
    for name, v in values.items():
        constant = np.ptp(v) == 0 or np.ptp(kept) == 0
        out[name] = {"srocc": 0.0 if constant else float(spearmanr(v, kept).statistic),
                     "plcc": 0.0 if constant else float(pearsonr(v, kept).statistic)}
    return {"csv": str(csv_path), "images": len(kept), "skipped": skipped,
            "ratings": "higher is better" if higher else "lower is better",
            "models": out, "unavailable": unavailable}


def _mos_table(result: dict) -> str:
    lines = [(f"{result['csv']}: {result['images']} rated images ({result['ratings']}), "
              f"{len(result['skipped'])} skipped"), f"{'measure':22s}{'SROCC':>8s}{'PLCC':>8s}"]
    lines += [f"{n:22s}{m['srocc']:8.3f}{m['plcc']:8.3f}" for n, m in result["models"].items()]
    lines += [f"{n}: unavailable ({why})" for n, why in result["unavailable"].items()]
    return "\n".join(lines)


def _table(result: dict) -> str:
    names = list(result["models"])
    lines = [(f"SROCC(quality, -level) on {result['photos']} held-out photos, levels "
              f"{result['levels'][0]}..{result['levels'][-1]}"),
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
    for key, run in result.get("runs", {}).items():
        if key == result.get("main_run"):
            continue
        lines.append("")
        lines.append(f"{key}: SROCC(quality, -level), {run['photos']} photos")
        lines.append(f"{'kind':20s}" + "".join(f"{n:>22s}" for n in names))
        for kind in run["kinds"]:
            lines.append(f"{kind:20s}" + "".join(
                f"{run['models'][n]['srocc_per_kind'].get(kind, float('nan')):22.3f}" for n in names))
        lines.append(f"{'MEAN':20s}" + "".join(f"{run['models'][n]['srocc_mean']:22.3f}" for n in names))
    for note in result.get("notes", []):
        lines.append(f"note: {note}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help=f"only {QUICK_PHOTOS} held-out and {QUICK_REAL_HR} real_hr photos")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    choices = [*map(str, ModelName), PEER_NAME, QUALITY_NAME]
    ap.add_argument("--models", help=f"comma-separated subset of {','.join(choices)} (default: all)")
    ap.add_argument("--diqa", type=Path, metavar="FILE",
                    help="evaluate this DIQA .tflite (e.g. a training candidate) instead of the shipped one")
    ap.add_argument("--generator", choices=("own", "alt", "both"),
                    help="distortion generator(s); default both when albumentations imports, else own")
    ap.add_argument("--photos", choices=("heldout", "real_hr", "both"), default="both",
                    help=f"held-out pristine photos and/or real_hr sharp photos (long side {REAL_HR_LONG_SIDE} px)")
    ap.add_argument("--mos", type=Path, metavar="DIR",
                    help="instead: correlate with human ratings, a folder with one CSV of file,score")
    ap.add_argument("--mos-direction", choices=MOS_DIRECTIONS,
                    help="whether higher ratings are better (else a header column mos/dmos must say)")
    args = ap.parse_args(argv)
    generators = None if args.generator is None else GENERATORS if args.generator == "both" else (args.generator,)
    photo_sets = PHOTO_SETS if args.photos == "both" else (args.photos,)
    names = tuple(args.models.split(",")) if args.models else None
    if names is not None and not set(names) <= set(choices):
        ap.error(f"--models: unknown {', '.join(sorted(set(names) - set(choices)))}; known: {', '.join(choices)}")
    if args.diqa is not None and not args.diqa.is_file():
        ap.error(f"--diqa: no file {args.diqa}")
    cv2.setNumThreads(1)
    if args.mos is not None:
        try:
            result = evaluate_mos(args.mos, args.mos_direction, names)
        except MosError as exc:
            print(f"eval_iqa: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(result, indent=2) if args.json else _mos_table(result))
        return 0
    with tempfile.TemporaryDirectory(prefix="eval_iqa_") as tmp:
        weights_dirs = {}
        if args.diqa is not None:  # DiqaModel reads <weights_dir>/diqa.tflite
            shutil.copyfile(args.diqa, Path(tmp) / "diqa.tflite")
            weights_dirs[ModelName.DIQA] = Path(tmp)
        try:
            result = evaluate(quick=args.quick, names=names, weights_dirs=weights_dirs,
                              generators=generators, photo_sets=photo_sets)
        except (FileNotFoundError, ImportError) as exc:
            print(f"eval_iqa: {exc}", file=sys.stderr)
            return 2
    print(json.dumps(result, indent=2) if args.json else _table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
