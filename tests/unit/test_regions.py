"""Regions: where the defect is. A grid of cells over the frame, each judged on its own."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.cli import DEMO, run_json
from support.media import half_blurred, scene

from livecheck.cli import main
from livecheck.dev import shared_root
from livecheck.hint import Hint
from livecheck.regions import Grid, Region, parse_grid, regions
from livecheck.thresholds import Thresholds

SHARED = shared_root() / "data" / "real_hr"
SHARP_PHOTOS = sorted((SHARED / "sharp").glob("*.jpg"))
"""Architecture and phone-scanned documents (real_hr/sharp): sharp, but some have soft parts of
their own (a facade behind the focus plane), which are rightly blurry cells."""


def blurry_cells(cells: tuple[Region, ...]) -> tuple[list[bool], list[bool]]:
    """Whether each cell is blurry: those on the left (sharp) half, those on the right."""
    left = [Hint.BLURRY in c.hints for c in cells if c.x + c.w / 2 < 0.5]
    right = [Hint.BLURRY in c.hints for c in cells if c.x + c.w / 2 >= 0.5]
    return left, right


def test_cells_tile_the_frame_row_by_row() -> None:
    cells = regions(scene(1280, 720), Thresholds(), Grid(3, 4))
    assert len(cells) == 12
    assert sum(c.w * c.h for c in cells) == pytest.approx(1.0)
    assert [(c.x, c.y) for c in cells[:2]] == [(0.0, 0.0), (0.25, 0.0)]
    assert cells[-1].x + cells[-1].w == pytest.approx(1.0) and cells[-1].y + cells[-1].h == pytest.approx(1.0)
    assert set(cells[0].to_json()) == {"x", "y", "w", "h", "hints"}


@pytest.mark.parametrize("size", [(1280, 720), (3840, 2160)])
def test_a_half_blurred_drawn_scene_is_blurry_on_that_half_only(size: tuple[int, int]) -> None:
    left, right = blurry_cells(regions(half_blurred(scene(*size), 4.0), Thresholds()))
    assert not any(left)
    assert np.mean(right) >= 0.75


def test_a_featureless_cell_is_not_blurry() -> None:
    img = np.full((720, 1280, 3), (235, 200, 160), np.uint8)  # a plain sky above...
    img[360:] = scene(1280, 360)  # ...a sharp scene
    img = half_blurred(img, 4.0)
    cells = regions(img, Thresholds())
    assert all(Hint.BLURRY not in c.hints for c in cells if c.y + c.h <= 0.5)


@pytest.mark.skipif(not SHARP_PHOTOS, reason="../shared/data/real_hr/sharp is absent (real photos)")
def test_a_half_blurred_real_photo_is_blurry_on_that_half_only() -> None:
    judged = 0
    for path in SHARP_PHOTOS:
        photo = cv2.imread(str(path))
        if any(blurry_cells(regions(photo, Thresholds()))[0]):
            continue  # its left half has soft parts of its own
        left, right = blurry_cells(regions(half_blurred(photo), Thresholds()))
        assert not any(left), path.name
        assert np.mean(right) >= 0.75, path.name
        judged += 1
    assert judged >= len(SHARP_PHOTOS) // 2


def test_grid_parsing() -> None:
    assert parse_grid("4x4") == Grid(4, 4) and parse_grid("2X3") == Grid(2, 3) and parse_grid("3") == Grid(3, 3)
    for bad in ("0x4", "axb", "4x40"):
        with pytest.raises(ValueError):
            parse_grid(bad)


def test_score_carries_regions_and_replay_only_when_asked(tmp_path: Path, capsys) -> None:
    photo = tmp_path / "p.png"
    cv2.imwrite(str(photo), half_blurred(scene(1280, 720), 4.0))
    rc, records, _ = run_json(capsys, "score", "--json", "--no-models", "--grid", "2x2", str(photo))
    assert rc == 0 and [c["hints"] for c in records[0]["regions"]] == [[], ["blurry"], [], ["blurry"]]
    out = tmp_path / "r.jsonl"
    assert main(["replay", str(DEMO), "--no-pace", "--no-models", "--jsonl", str(out)]) == 0
    assert not any("regions" in json.loads(line) for line in out.read_text().splitlines())
    assert main(["replay", str(DEMO), "--no-pace", "--no-models", "--regions", "--jsonl", str(out)]) == 0
    frames = [json.loads(line) for line in out.read_text().splitlines() if '"frame"' in line]
    assert frames and all(len(f["regions"]) == 16 for f in frames)
