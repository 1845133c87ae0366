"""Synthetic camera clips made from a photo: a still camera, a steady or speeding-up pan, a moving object.

For ``hold_still`` (:mod:`livecheck.motion`): a camera frame is a window onto a larger scene (the
photo, resized so that the frame covers 1/``SCENE_SPAN`` of its long side). The window moves along
a path, in whole pixels per frame, bouncing off the scene's borders. Each frame, in linear light,
gets the streak that the motion during its exposure makes (``exposure`` = the share of the frame
interval the shutter is open; 0 for a sharp frame, as in bright light; 0.5 is the common 180-degree
shutter of video), then sensor noise that changes every frame, then JPEG. Speeds are in frame
pixels per frame; at 720p and 1080p those are viewing pixels (:mod:`livecheck.view`).
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from livecheck.dev.viewscale import motion_kernel, to_linear, to_srgb8

SCENE_SPAN = 1.6
"""The scene's long side in frame long sides: room for a pan of 30 px/frame over 20 frames."""
NOISE_SIGMA = 1.5
"""Sensor noise, grey levels per channel (white, new every frame)."""
JPEG_QUALITY = 90
STILL_JITTER = 0.5
"""A hand-held "still" camera: the window's position wanders by this many pixels per frame (sd)."""


@dataclass(frozen=True, slots=True)
class MovingObject:
    """A square patch of the scene pasted over the frame, moving across it (the camera is still)."""

    side: float
    """Its side as a share of the frame's width."""
    speed: float
    """Pixels per frame, left to right."""


def scene(photo: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The photo (turned to landscape) resized so that a ``size`` (w, h) frame spans 1/``SCENE_SPAN``
    of its long side and fits its short side with room to move."""
    if photo.shape[0] > photo.shape[1]:
        photo = cv2.rotate(photo, cv2.ROTATE_90_CLOCKWISE)
    h, w = photo.shape[:2]
    s = max(SCENE_SPAN * size[0] / w, 1.25 * size[1] / h)
    return cv2.resize(photo, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)


def _path(scene_shape: tuple[int, ...], size: tuple[int, int], speeds: Sequence[float], angle_deg: float,
          rng: np.random.Generator) -> list[tuple[float, float, float, float]]:
    """Per frame: the window's top-left corner and its velocity (px/frame), starting mid-scene,
    bouncing off the borders; speed 0 is a hand-held still camera (a random walk)."""
    room_x, room_y = scene_shape[1] - size[0], scene_shape[0] - size[1]
    x, y = room_x / 2, room_y / 2
    vx, vy = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    out = []
    for speed in speeds:
        if speed > 0:
            step_x, step_y = vx * speed, vy * speed
        else:
            step_x, step_y = (float(v) for v in rng.normal(0.0, STILL_JITTER, 2))
        if not 0 <= x + step_x <= room_x:
            vx, step_x = -vx, -step_x
        if not 0 <= y + step_y <= room_y:
            vy, step_y = -vy, -step_y
        x, y = x + step_x, y + step_y
        out.append((x, y, step_x, step_y))
    return out


def clip(photo_scene: np.ndarray, size: tuple[int, int], speeds: Sequence[float], *, angle_deg: float = 20.0,
         exposure: float = 0.0, moving: MovingObject | None = None, seed: int = 0) -> Iterator[np.ndarray]:
    """The frames (BGR uint8, ``size`` = (w, h)) of a window moving over ``photo_scene`` (:func:`scene`)
    at ``speeds[i]`` px/frame in frame ``i``; see the module docstring."""
    rng = np.random.default_rng(seed)
    w, h = size
    margin = 32
    # one field of noise, read at a new random offset each frame (new noise, without drawing it anew)
    noise = rng.normal(0.0, NOISE_SIGMA, (h + margin, w + margin, 3)).astype(np.float32)
    for i, (x, y, dx, dy) in enumerate(_path(photo_scene.shape, size, speeds, angle_deg, rng)):
        x0, y0 = round(x), round(y)
        frame = photo_scene[y0:y0 + h, x0:x0 + w].copy()
        if moving is not None:
            side = round(moving.side * w)
            sx, sy = round(0.25 * photo_scene.shape[1]), round(0.1 * photo_scene.shape[0])
            ox, oy = round(i * moving.speed) % max(1, w - side), (h - side) // 2
            frame[oy:oy + side, ox:ox + side] = photo_scene[sy:sy + side, sx:sx + side]
        length = math.hypot(dx, dy) * exposure
        if length > 1.0:
            # the streak of the motion during the exposure, blurred with the window's surroundings
            ya, yb = max(0, y0 - margin), min(photo_scene.shape[0], y0 + h + margin)
            xa, xb = max(0, x0 - margin), min(photo_scene.shape[1], x0 + w + margin)
            around = photo_scene[ya:yb, xa:xb].copy()
            around[y0 - ya:y0 - ya + h, x0 - xa:x0 - xa + w] = frame
            kernel = motion_kernel(length, math.degrees(math.atan2(dy, dx)))
            lin = cv2.filter2D(to_linear(around), -1, kernel, borderType=cv2.BORDER_REFLECT_101)
            frame = to_srgb8(lin)[y0 - ya:y0 - ya + h, x0 - xa:x0 - xa + w]
        nx, ny = (int(v) for v in rng.integers(0, margin, 2))
        noisy = frame.astype(np.float32) + noise[ny:ny + h, nx:nx + w]
        ok, data = cv2.imencode(".jpg", np.clip(noisy, 0, 255).astype(np.uint8),
                                [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise RuntimeError("JPEG encode failed")
        yield cv2.imdecode(data, cv2.IMREAD_COLOR)
