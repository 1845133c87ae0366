"""Build the bundled demo clip (assets/demo.mp4) and its script (assets/demo.json).

A scripted virtual camera pans slowly across public-domain photos that scikit-image ships
(read from ../shared/data/pristine/skimage, or from an installed scikit-image's data folder) and
plays out one defect at a time: a focus pull, an exposure ramp from dark to bright, a burst of
sensor noise. assets/demo.json records when each defect is fully on, so tests can check that
each hint fires inside its window and stays quiet outside it.

    python scripts/make_demo_clip.py            # writes assets/demo.mp4 + assets/demo.json
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FPS = 25
SIZE = (480, 320)  # width, height: small enough to commit, large enough to judge sharpness
PHOTOS = ("motorcycle_left.png", "coffee.png", "chelsea.png")
RAMP_S = 0.6  # how long each defect takes to fade in and out
BITRATE = 1_200_000  # bits/s: keeps the committed clip near 4 MB; noise survives as real codecs leave it


@dataclass(frozen=True)
class Segment:
    """A stretch of the clip where one defect is fully on (ramps of RAMP_S on either side)."""

    name: str
    hint: str
    start_s: float
    end_s: float


# The timeline: clean stretches between defects, so every hint must also clear again.
SEGMENTS = (
    Segment("focus_pull", "blurry", 4.0, 7.0),
    Segment("dark", "too_dark", 10.0, 13.0),
    Segment("bright", "too_bright", 15.5, 18.5),
    Segment("noise_burst", "noisy", 21.5, 24.5),
)
DURATION_S = 28.0


def find_photo_dir() -> Path:
    shared = ROOT.parent / "shared" / "data" / "pristine" / "skimage"
    if shared.is_dir():
        return shared
    try:
        import skimage

        return Path(skimage.__file__).parent / "data"
    except ImportError:
        sys.exit("no photos: need ../shared/data/pristine/skimage or scikit-image installed")


def strength(seg: Segment, t: float) -> float:
    """0 outside the segment, 1 inside it, linear ramps of RAMP_S at both ends."""
    if t <= seg.start_s - RAMP_S or t >= seg.end_s + RAMP_S:
        return 0.0
    if t < seg.start_s:
        return (t - (seg.start_s - RAMP_S)) / RAMP_S
    if t > seg.end_s:
        return ((seg.end_s + RAMP_S) - t) / RAMP_S
    return 1.0


def pan_view(photos: list[np.ndarray], t: float) -> np.ndarray:
    """A slow pan: each photo is shown for DURATION_S / len(photos) seconds, the crop sliding across it."""
    w, h = SIZE
    per = DURATION_S / len(photos)
    idx = min(int(t // per), len(photos) - 1)
    photo = photos[idx]
    frac = (t - idx * per) / per
    ph, pw = photo.shape[:2]
    x = int(round(frac * (pw - w)))
    y = int(round((0.5 - 0.3 * np.sin(frac * np.pi)) * (ph - h)))
    return photo[y : y + h, x : x + w].copy()


def apply_defects(view: np.ndarray, t: float, rng: np.random.Generator) -> np.ndarray:
    focus, dark, bright, noise = (strength(s, t) for s in SEGMENTS)
    img = view.astype(np.float32)
    if focus > 0:  # a defocus: the blur radius grows to 4 px and back
        sigma = 4.0 * focus
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    # exposure: a gain applied in (approximately) linear light, then clipped like a sensor would
    gain = 1.0
    if dark > 0:
        gain *= 1.0 - 0.97 * dark
    if bright > 0:
        gain *= 1.0 + 15.0 * bright  # 4 stops over
    if gain != 1.0:
        lin = (img / 255.0) ** 2.2 * gain
        img = np.clip(lin, 0.0, 1.0) ** (1 / 2.2) * 255.0
    if noise > 0:  # high-ISO sensor noise: Gaussian, sigma up to 22 grey levels
        img = img + rng.normal(0.0, 22.0 * noise, img.shape).astype(np.float32)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def load_photos(photo_dir: Path) -> list[np.ndarray]:
    w, h = SIZE
    photos = []
    for name in PHOTOS:
        img = cv2.imread(str(photo_dir / name), cv2.IMREAD_COLOR)
        if img is None:
            sys.exit(f"cannot read {photo_dir / name}")
        # upscale only as much as needed to cover the frame, so the clean views stay sharp
        scale = max(w / img.shape[1], h / img.shape[0], 1.0)
        if scale > 1.0:
            img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        photos.append(img)
    return photos


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "assets" / "demo.mp4")
    ap.add_argument("--photos", type=Path, default=None, help="folder holding the scikit-image photos")
    args = ap.parse_args(argv)

    photos = load_photos(args.photos or find_photo_dir())
    rng = np.random.default_rng(20261126)
    writer = cv2.VideoWriter(
        str(args.out), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE,
        [cv2.VIDEOWRITER_PROP_BITRATE, BITRATE],
    )
    if not writer.isOpened():
        sys.exit(f"cannot write {args.out}")
    n = int(DURATION_S * FPS)
    for i in range(n):
        t = i / FPS
        writer.write(apply_defects(pan_view(photos, t), t, rng))
    writer.release()

    script = {
        "fps": FPS,
        "frames": n,
        "width": SIZE[0],
        "height": SIZE[1],
        "ramp_s": RAMP_S,
        "photos": list(PHOTOS),
        "segments": [asdict(s) for s in SEGMENTS],
    }
    args.out.with_suffix(".json").write_text(json.dumps(script, indent=2) + "\n")
    sidecar = args.out.with_suffix(".json").name
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {n} frames) and {sidecar}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
