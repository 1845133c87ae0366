"""A second, independent distortion generator built from albumentations -- for evaluation ONLY.

The learned models are trained (and their candidates chosen) on scripts/distortions.py. A model can
learn that generator's particular kernels and codecs rather than image quality, so eval_iqa.py also
measures it on distortions implemented by someone else: albumentations' own JPEG/WebP codecs,
downscale-upscale, defocus, motion and zoom blur, ISO and Gaussian noise, gamma,
brightness/contrast, colour shift and a mixture. Nothing here may be used to train or to pick a
model; otherwise the cross-generator figure stops being an out-of-distribution check.

The API mirrors scripts/distortions.py so eval_iqa.py can use either module::

    KINDS, LEVELS, distort(bgr, kind, level, rng), iter_samples(photos, ..., load=...)

Levels are the integers 1..LEVELS (0 = untouched); each has fixed transform parameters (every
``*_range`` is collapsed to one value), and the transform is applied with ``p=1``. What is still
random inside albumentations (noise, the motion direction) comes from a seed drawn from ``rng``, so
the same (photo, kind, level) seed gives the same image.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np

from livecheck.dev import distortions

with warnings.catch_warnings():  # albumentations may warn that it cannot check for updates offline
    warnings.simplefilter("ignore")
    import albumentations as A

LEVELS = 5

_JPEG_Q = (60, 40, 25, 15, 8)
_WEBP_Q = (60, 40, 25, 15, 8)
_DOWNSCALE = (0.8, 0.6, 0.45, 0.33, 0.25)  # scale of the intermediate image
_DEFOCUS_R = (2, 3, 5, 7, 9)  # disk radius, px
_MOTION_K = (5, 9, 13, 17, 25)  # kernel size (odd), px
_ZOOM = (1.02, 1.04, 1.07, 1.11, 1.16)  # max zoom factor
_ISO = ((0.02, 0.2), (0.03, 0.4), (0.04, 0.6), (0.05, 0.8), (0.06, 1.0))  # (colour shift, intensity)
_GAUSS_STD = (0.02, 0.04, 0.07, 0.11, 0.16)  # fraction of 255
_GAMMA = (130, 165, 210, 270, 350)  # albumentations' percent: gamma = value / 100 (darker mids)
_BC = ((-0.05, -0.15), (-0.1, -0.3), (-0.15, -0.45), (-0.2, -0.6), (-0.25, -0.75))  # (bright, contrast)
_RGB_SHIFT = (10, 20, 35, 50, 70)  # +R, -B (a warm cast), 8-bit units


def _fixed(v: float) -> tuple[float, float]:
    return (v, v)


def _transforms(kind: str, i: int) -> list[A.BasicTransform]:
    """The albumentations transform(s) for ``kind`` at level index ``i`` (0-based), all with p=1."""
    if kind not in _TRANSFORMS:
        raise ValueError(f"unknown distortion kind {kind!r}; known: {', '.join(KINDS)}")
    return _TRANSFORMS[kind](i)


def _iso_noise(i: int) -> list[A.BasicTransform]:
    shift, intensity = _ISO[i]
    return [A.ISONoise(color_shift=_fixed(shift), intensity=_fixed(intensity), p=1.0)]


def _brightness_contrast(i: int) -> list[A.BasicTransform]:
    b, c = _BC[i]
    return [A.RandomBrightnessContrast(brightness_limit=_fixed(b), contrast_limit=_fixed(c), p=1.0)]


_TRANSFORMS: dict[str, Callable[[int], list[A.BasicTransform]]] = {
    "jpeg": lambda i: [A.ImageCompression(compression_type="jpeg", quality_range=_fixed(_JPEG_Q[i]), p=1.0)],
    "webp": lambda i: [A.ImageCompression(compression_type="webp", quality_range=_fixed(_WEBP_Q[i]), p=1.0)],
    "downscale_upscale": lambda i: [A.Downscale(
        scale_range=_fixed(_DOWNSCALE[i]),
        interpolation_pair={"downscale": cv2.INTER_AREA, "upscale": cv2.INTER_LINEAR}, p=1.0)],
    "defocus": lambda i: [A.Defocus(radius=_fixed(_DEFOCUS_R[i]), alias_blur=_fixed(0.1), p=1.0)],
    "motion_blur": lambda i: [A.MotionBlur(blur_limit=_fixed(_MOTION_K[i]), allow_shifted=False, p=1.0)],
    "zoom_blur": lambda i: [A.ZoomBlur(max_factor=_fixed(_ZOOM[i]), step_factor=_fixed(0.01), p=1.0)],
    "iso_noise": _iso_noise,
    "gaussian_noise": lambda i: [A.GaussNoise(std_range=_fixed(_GAUSS_STD[i]), per_channel=True, p=1.0)],
    "gamma": lambda i: [A.RandomGamma(gamma_limit=_fixed(_GAMMA[i]), p=1.0)],
    "brightness_contrast": _brightness_contrast,
    "colour_shift": lambda i: [A.RGBShift(r_shift_limit=_fixed(_RGB_SHIFT[i]), g_shift_limit=_fixed(0),
                                          b_shift_limit=_fixed(-_RGB_SHIFT[i]), p=1.0)],
    # a soft, then compressed, photo: defocus followed by JPEG at the same level
    "mixture": lambda i: [*_transforms("defocus", i), *_transforms("jpeg", i)],
}


KINDS: tuple[str, ...] = (
    "jpeg", "webp", "downscale_upscale", "defocus", "motion_blur", "zoom_blur", "iso_noise",
    "gaussian_noise", "gamma", "brightness_contrast", "colour_shift", "mixture",
)


def distort(bgr: np.ndarray, kind: str, level: float, rng: np.random.Generator) -> np.ndarray:
    """Degrade a BGR uint8 image by ``kind`` at integer ``level`` in 0..LEVELS; returns a new BGR uint8.

    albumentations works on RGB, so the image is converted there and back (this matters for the
    colour shift and the ISO noise's colour component).
    """
    if bgr.dtype != np.uint8 or bgr.ndim != 3 or bgr.shape[2] != 3:
        raise ValueError("distort expects a BGR uint8 HxWx3 image")
    if kind not in KINDS:
        raise ValueError(f"unknown distortion kind {kind!r}; known: {', '.join(KINDS)}")
    if level != int(level) or not 0 <= level <= LEVELS:
        raise ValueError(f"level must be an integer in 0..{LEVELS}, got {level}")
    if level == 0:
        return bgr.copy()
    seed = int(rng.integers(0, 2**31 - 1))
    pipeline = A.Compose(_transforms(kind, int(level) - 1), p=1.0, seed=seed)
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    out = pipeline(image=rgb)["image"]
    if out.shape != rgb.shape:  # no transform here changes the size; guard the contract anyway
        raise RuntimeError(f"{kind} changed the image shape {rgb.shape} -> {out.shape}")
    return np.ascontiguousarray(cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR))


def iter_samples(
    photos: Sequence[Path],
    kinds: Iterable[str] = KINDS,
    levels: Iterable[float] | None = None,
    seed: int = 0,
    load: Callable[[Path], np.ndarray] = distortions.load_photo,
) -> Iterator[distortions.Sample]:
    """Yield distorted samples of every photo x kind x level, deterministically for ``seed``.

    Seeds come from the same (seed, photo, kind, level) hash as scripts/distortions.py, so runs are
    reproducible; ``load`` lets eval_iqa.py pass resized real photos.
    """
    kinds = tuple(kinds)
    grid = tuple(levels) if levels is not None else tuple(float(i) for i in range(1, LEVELS + 1))
    for photo in photos:
        ref = load(photo)
        for kind in kinds:
            for i, level in enumerate(grid):
                rng = np.random.default_rng(distortions._seed_for(seed, photo, kind, level, i))
                img = distort(ref, kind, level, rng)
                yield distortions.Sample(photo, kind, level, ref, img, distortions.quality_target(ref, img))
