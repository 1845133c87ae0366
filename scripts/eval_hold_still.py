"""Figures for ``hold_still``: synthetic camera clips made from the clean real_hr photos, and real clips.

    python scripts/eval_hold_still.py [--json]      (also: eval_issue15.py --only hold_still)

Reads ../shared/data (or $LIVECHECK_SHARED/data) in place. Each clean real_hr photo becomes clips
(livecheck/dev/pans.py: a window moving over the photo, sensor noise new every frame, JPEG q90) at
720p and 1080p, 30 fps, through the live path's checks (``measure``, ``MotionTracker``) and the
hint engine:

* ``steady<v>``: a pan at v px/frame (0 = a hand-held still camera), 12 frames, sharp frames (a
  short exposure); ``steady<v>+blur``: the same with the streak of a shutter open half the frame
  interval (v/2 px long);
* ``ramp+blur``: a pan speeding up from 0 to 30 px/frame over 36 frames, shutter open half the
  interval: when does ``hold_still`` show, and when ``blurry``?
* ``object1/8``, ``object1/4``: a still camera, and a square of 1/8 (1/4) of the frame's width
  crossing it at 30 px/frame.

A clip's hint "shows" when the hint engine shows it on some frame. Figures: the share of clips
showing each hint, per kind and resolution; on the ramps, which came first; false ``hold_still``
on still, slow (1-2 px/frame) and moving-object clips; and leave-one-dataset-out: ``hold_still_on``
re-chosen without one source group (wild photos, Strecha architecture, phone-scanned documents),
maximising the mean over the other groups of (share shown on pans of >= ``FAST`` px/frame) minus
(share shown on the still, slow and object clips), and the held-out group's figures under it.
The measured frames are cached (``$LIVECHECK_CACHE/hold_still/v1``), so a re-run only judges.
Real clips: ``real_hr/clips``, ``clips/`` and DeepGyro's three consecutive hand-shaken frames.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import eval_hints  # scripts/ is on sys.path when this file is run
import numpy as np

from livecheck.dev import pans, viewscale
from livecheck.fastchecks import FrameMetrics, measure
from livecheck.hint import Hint
from livecheck.hint_engine import HintEngine
from livecheck.motion import MotionTracker
from livecheck.thresholds import Thresholds

FPS = 30.0
FRAMES = 12
SPEEDS = (0, 1, 2, 3, 4, 6, 8, 12, 16, 20, 30)
BLUR_FROM = 3
"""Below this speed a half-interval streak is under 1.5 px: the blurred clip is the sharp one."""
EXPOSURE = 0.5
RAMP = tuple(float(v) for v in np.linspace(0.0, 30.0, 36))
OBJECTS = {"object1/8": pans.MovingObject(1 / 8, 30.0), "object1/4": pans.MovingObject(1 / 4, 30.0)}
SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
FAST = 8
"""Pans at least this fast (px/frame) must show ``hold_still``: a shutter open the whole interval
would draw an 8-px streak, the viewing-scale motion blur that ``blurry`` is tested on."""
SLOW = 2
"""Pans at most this fast (and the still camera) must not."""
CACHE_VERSION = "v1"


@dataclasses.dataclass(frozen=True)
class Kind:
    name: str
    speeds: tuple[float, ...]
    exposure: float = 0.0
    moving: pans.MovingObject | None = None


def kinds() -> list[Kind]:
    out = [Kind(f"steady{v}", (float(v),) * FRAMES) for v in SPEEDS]
    out += [Kind(f"steady{v}+blur", (float(v),) * FRAMES, EXPOSURE) for v in SPEEDS if v >= BLUR_FROM]
    out.append(Kind("ramp+blur", RAMP, EXPOSURE))
    out += [Kind(name, (0.0,) * FRAMES, moving=obj) for name, obj in OBJECTS.items()]
    return out


def _cache() -> Path:
    return viewscale.cache_dir().parents[1] / "hold_still" / CACHE_VERSION


def measure_clip(frames) -> list[FrameMetrics]:
    """Each frame's metrics as the live worker makes them: the checks, then the motion."""
    tracker = MotionTracker()
    return [dataclasses.replace(measure(f), motion=tracker.update(f, i)) for i, f in enumerate(frames)]


def _source_clips(path: Path) -> dict[str, dict[str, list[dict]]]:
    """Every clip of one photo, measured (cached per photo): {resolution: {kind: [metrics]}}."""
    cached = _cache() / f"{path.stem}.json"
    if cached.is_file():
        return json.loads(cached.read_text())
    photo = viewscale.load_source(path)
    out: dict[str, dict[str, list[dict]]] = {}
    for res, size in SIZES.items():
        scene = pans.scene(photo, size)
        out[res] = {k.name: [m.as_dict() for m in measure_clip(pans.clip(
            scene, size, k.speeds, exposure=k.exposure, moving=k.moving, seed=zlib.crc32(k.name.encode())))]
            for k in kinds()}
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(out))
    os.replace(tmp, cached)
    return out


@dataclasses.dataclass(frozen=True)
class Clip:
    source: str
    group: str
    resolution: str
    kind: str
    metrics: tuple[FrameMetrics, ...]


def synthetic_clips(data: Path, limit: int | None = None) -> list[Clip]:
    clips = []
    for path in viewscale.sources(data)[:limit]:
        group = _group(path.stem)
        for res, by_kind in _source_clips(path).items():
            clips += [Clip(path.stem, group, res, kind, tuple(FrameMetrics(**m) for m in ms))
                      for kind, ms in by_kind.items()]
    return clips


def _group(stem: str) -> str:
    if stem.startswith("SfM_"):
        return "strecha"
    return "phone-scan" if stem.startswith("phone-scan") else "wild"


def first_shown(metrics: Sequence[FrameMetrics], th: Thresholds) -> dict[Hint, float]:
    """When (seconds from the clip's start) the engine first shows each hint, for those it shows."""
    engine, first = HintEngine(th), {}
    for i, m in enumerate(metrics):
        for hint in engine.update(m, i / FPS):
            first.setdefault(hint, i / FPS)
    return first


def judged(th: Thresholds) -> Thresholds:
    """``th`` with only ``hold_still`` and ``blurry`` on (the others play no part in these clips)."""
    return dataclasses.replace(th, disabled=frozenset(set(Hint) - {Hint.HOLD_STILL, Hint.BLURRY}))


def _speed(kind: str) -> float | None:
    """The pan speed of a steady clip."""
    return float(kind[len("steady"):].split("+")[0]) if kind.startswith("steady") else None


def must_raise(c: Clip) -> bool:
    return (_speed(c.kind) or 0) >= FAST


def must_not(c: Clip) -> bool:
    speed = _speed(c.kind)
    return (speed is not None and speed <= SLOW) or c.kind in OBJECTS


def _rate(flags: list[bool]) -> float:
    return round(float(np.mean(flags)), 3) if flags else float("nan")


def _score(clips: list[Clip], th: Thresholds) -> float:
    """Mean over groups of (recall on fast pans - false rate on still, slow and object clips)."""
    per_group = []
    for g in sorted({c.group for c in clips}):
        fast = [Hint.HOLD_STILL in first_shown(c.metrics, th) for c in clips if c.group == g and must_raise(c)]
        calm = [Hint.HOLD_STILL in first_shown(c.metrics, th) for c in clips if c.group == g and must_not(c)]
        per_group.append(np.mean(fast) - np.mean(calm))
    return float(np.mean(per_group))


def _with_on(th: Thresholds, on: float) -> Thresholds:
    """``hold_still_on`` set to ``on``, its off threshold in the default ratio to it."""
    return dataclasses.replace(th, hold_still_on=on, hold_still_off=on * th.hold_still_off / th.hold_still_on)


def refit(clips: list[Clip], th: Thresholds) -> tuple[float, float, float]:
    """The ``hold_still_on`` values (0.25 apart) that score best: the middle of them, and the
    lowest and highest (the clips tell apart any value in between equally well)."""
    candidates = [float(c) for c in np.round(np.arange(1.0, 12.01, 0.25), 2)]
    scores = {on: _score(clips, _with_on(th, on)) for on in candidates}
    best = [on for on, score in scores.items() if score == max(scores.values())]
    return float(np.median(best)), best[0], best[-1]


def _shares(clips: list[Clip], th: Thresholds, keep: Callable[[Clip], bool]) -> dict:
    out = {}
    for res in SIZES:
        chosen = [c for c in clips if c.resolution == res and keep(c)]
        shown = [first_shown(c.metrics, th) for c in chosen]
        out[res] = {"n": len(chosen), "hold_still": _rate([Hint.HOLD_STILL in s for s in shown]),
                    "blurry": _rate([Hint.BLURRY in s for s in shown])}
    return out


def _sharp_when_still(clips: list[Clip], th: Thresholds) -> set[tuple[str, str]]:
    """(source, resolution) of the photos whose still clip shows no ``blurry``: on the others blur
    shows whatever the camera does, so nothing can come before it."""
    return {(c.source, c.resolution) for c in clips
            if c.kind == "steady0" and Hint.BLURRY not in first_shown(c.metrics, th)}


def _ramps(clips: list[Clip], th: Thresholds) -> dict:
    """On the speeding-up pans of the photos sharp when still: which hint showed first, the lead,
    and the speed each showed at."""
    out = {}
    sharp = _sharp_when_still(clips, th)
    for res in SIZES:
        rows = []
        for c in clips:
            if c.resolution == res and c.kind == "ramp+blur" and (c.source, res) in sharp:
                first = first_shown(c.metrics, th)
                rows.append((first.get(Hint.HOLD_STILL), first.get(Hint.BLURRY)))
        hold = [h for h, _ in rows if h is not None]
        blur = [b for _, b in rows if b is not None]
        both = [(h, b) for h, b in rows if h is not None and b is not None]

        def speed_at(t: float) -> float:
            return round(RAMP[min(len(RAMP) - 1, round(t * FPS))], 1)
        out[res] = {
            "n": len(rows), "hold_still_shown": _rate([h is not None for h, _ in rows]),
            "blurry_shown": _rate([b is not None for _, b in rows]),
            "hold_still_first": _rate([h is not None and (b is None or h < b) for h, b in rows]),
            "same_frame": _rate([h is not None and h == b for h, b in rows]),
            "blurry_first": _rate([b is not None and (h is None or b < h) for h, b in rows]),
            "median_lead_s": round(float(np.median([b - h for h, b in both])), 3) if both else None,
            "median_speed_at_hold_still": float(np.median([speed_at(t) for t in hold])) if hold else None,
            "median_speed_at_blurry": float(np.median([speed_at(t) for t in blur])) if blur else None,
        }
    return out


def _with_blurry(clips: list[Clip], th: Thresholds) -> dict:
    """On the steady blurred pans of the photos sharp when still, where ``blurry`` shows: the share
    where ``hold_still`` shows too, and no more than a frame later (its first frame has no motion
    to read, so on a pan blurred from the start it can be one frame behind)."""
    out = {}
    sharp = _sharp_when_still(clips, th)
    for res in SIZES:
        rows = []
        for c in clips:
            if (c.resolution == res and c.kind.endswith("+blur") and c.kind.startswith("steady")
                    and (c.source, res) in sharp):
                first = first_shown(c.metrics, th)
                if Hint.BLURRY in first:
                    rows.append(first.get(Hint.HOLD_STILL, np.inf) - first[Hint.BLURRY])
        out[res] = {"n": len(rows), "hold_still_too": _rate([d < np.inf for d in rows]),
                    "within_a_frame": _rate([d <= 1.01 / FPS for d in rows])}
    return out


def synthetic_figures(clips: list[Clip], th: Thresholds) -> dict:
    out: dict = {"hold_still_on": th.hold_still_on, "hold_still_off": th.hold_still_off, "by_kind": {}}
    for k in kinds():
        out["by_kind"][k.name] = _shares(clips, th, lambda c, n=k.name: c.kind == n)
    out["ramp"] = _ramps(clips, th)
    out["steady_blur_hold_still_with_blurry"] = _with_blurry(clips, th)
    out["false"] = {
        "still": _shares(clips, th, lambda c: c.kind == "steady0"),
        "slow_1_2": _shares(clips, th, lambda c: c.kind in ("steady1", "steady2")),
        "objects": _shares(clips, th, lambda c: c.kind in OBJECTS),
    }
    out["recall_fast"] = _shares(clips, th, must_raise)
    out["lodo"] = {}
    for g in sorted({c.group for c in clips}):
        on, low, high = refit([c for c in clips if c.group != g], th)
        held = _with_on(th, on)
        mine = [c for c in clips if c.group == g]
        out["lodo"][g] = {"hold_still_on": on, "best_from_to": [low, high],
                          "recall_fast": _shares(mine, held, must_raise),
                          "false_still_slow_objects": _shares(mine, held, must_not)}
    on, low, high = refit(clips, th)
    out["chosen_on_all"] = {"hold_still_on": on, "best_from_to": [low, high]}
    return out


def _video_metrics(path: Path) -> tuple[float, list[FrameMetrics]]:
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS) or FPS
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return fps, measure_clip(frames)


def real_figures(data: Path, th: Thresholds) -> dict:
    """Real clips through the checks, the motion and the engine: the motion per frame (median, 90th
    percentile, max) and the share of frames showing ``hold_still`` and ``blurry``."""
    out = {}
    videos = sorted((data / "real_hr" / "clips").iterdir()) + sorted((data / "clips").iterdir())
    for path in videos:
        fps, metrics = _video_metrics(path)
        engine = HintEngine(th)
        shown = [engine.update(m, i / fps) for i, m in enumerate(metrics)]
        motion = [m.motion for m in metrics[1:]]
        out[path.name] = {"frames": len(metrics), "fps": round(fps, 2),
                          "motion_p50_p90_max": [round(float(np.percentile(motion, q)), 1) for q in (50, 90, 100)],
                          "hold_still_frames": _rate([Hint.HOLD_STILL in s for s in shown]),
                          "blurry_frames": _rate([Hint.BLURRY in s for s in shown])}
    shaken = sorted((data / "real_hr" / "blur_lowlight").glob("DeepGyro__*.jpg"))
    out["DeepGyro (3 frames, 30 fps, 20 ms)"] = {
        "motion": [round(m.motion, 1) for m in measure_clip([eval_hints._read(p) for p in shaken])[1:]]}
    return out


def evaluate(data: Path, th: Thresholds, limit: int | None = None) -> dict:
    th = judged(th)
    return {"synthetic": synthetic_figures(synthetic_clips(data, limit), th), "real": real_figures(data, th)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON object (else indented)")
    parser.add_argument("--limit", type=int, help="only the first N photos (a smoke run)")
    args = parser.parse_args(argv)
    data = eval_hints.shared_data()
    if not data.is_dir():
        print(f"eval_hold_still: shared data not found at {data}", file=sys.stderr)
        return 2
    cv2.setNumThreads(1)
    print(json.dumps(evaluate(data, Thresholds(), args.limit), indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
