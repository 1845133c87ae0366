"""Image folder source: sorted, paced or not, unreadable files skipped with a warning and counted."""
from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.capture import drain

from livecheck.capture import SourceError, SourceEvent, SourceEventKind, open_capture
from livecheck.frame import Frame

pytestmark = pytest.mark.usefixtures("no_leftover_capture_threads")


def make_folder(folder: Path, levels: dict[str, int]) -> Path:
    """One flat grey PNG per name, filled with the given level."""
    for name, level in levels.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        assert cv2.imwrite(str(path), np.full((30, 40, 3), level, np.uint8))
    return folder


def levels(frames: list[Frame]) -> list[int]:
    return [int(f.image[0, 0, 0]) for f in frames]


def test_folder_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "shots", {"b.png": 20, "a.png": 10, "sub/c.png": 30, "a2.jpg": 15})
    (folder / "readme.txt").write_text("not an image")
    cap = open_capture(str(folder), pace=False)
    assert not cap.live
    cap.start()
    frames = drain(cap)
    cap.stop()
    assert [f.seq for f in frames] == [0, 1, 2, 3]
    assert levels(frames) == pytest.approx([10, 15, 20, 30], abs=2)  # a2.jpg is lossy
    assert [f.t_media for f in frames] == [0.0, 0.5, 1.0, 1.5], "default 2 fps clock"
    assert cap.description == f"images {folder} (4 images @ 2 fps)"


def test_glob_picks_matching_images(tmp_path: Path) -> None:
    make_folder(tmp_path, {"x1.png": 1, "x2.png": 2, "y.png": 3})
    cap = open_capture(str(tmp_path / "x*.png"), pace=False)
    cap.start()
    assert levels(drain(cap)) == [1, 2]
    cap.stop()


def test_single_image_is_a_one_frame_source(tmp_path: Path) -> None:
    make_folder(tmp_path, {"one.png": 99})
    cap = open_capture(str(tmp_path / "one.png"), pace=False)
    cap.start()
    assert levels(drain(cap)) == [99]
    cap.stop()
    assert cap.description == "images one.png (1 image @ 2 fps)"


def test_unreadable_files_are_skipped_with_a_warning_and_counted(tmp_path: Path) -> None:
    make_folder(tmp_path, {"1.png": 10, "3.png": 30, "5.png": 50})
    (tmp_path / "2.jpg").write_text("not a jpeg")
    data = (tmp_path / "3.png").read_bytes()
    (tmp_path / "4.png").write_bytes(data[: len(data) // 2])
    (tmp_path / "6.png").write_bytes(b"")
    events: list[SourceEvent] = []
    cap = open_capture(str(tmp_path), pace=False, on_event=events.append)
    cap.start()
    frames = drain(cap)
    cap.stop()
    assert levels(frames) == [10, 30, 50]
    assert [f.seq for f in frames] == [0, 1, 2]
    assert [f.t_media for f in frames] == [0.0, 1.0, 2.0], "skipped files keep their time slot"
    assert cap.stats.corrupt_skipped == 3
    warnings = [e.message for e in events if e.kind is SourceEventKind.WARNING]
    assert len(warnings) == 3
    assert warnings[0].startswith(str(tmp_path / "2.jpg")) and "not an image" in warnings[0]
    assert "4.png" in warnings[1] and "6.png" in warnings[2]
    assert events[-1].kind is SourceEventKind.ENDED


def test_paced_folder_plays_at_the_requested_rate(tmp_path: Path) -> None:
    make_folder(tmp_path, {f"{i}.png": i for i in range(5)})
    cap = open_capture(str(tmp_path), pace=True, fps=10.0)
    assert cap.live and cap.nominal_fps == 10.0
    start = time.monotonic()
    cap.start()
    frames = drain(cap)
    elapsed = time.monotonic() - start
    cap.stop()
    assert levels(frames) == [0, 1, 2, 3, 4]
    assert 0.35 <= elapsed <= 1.0
    assert frames[-1].t_media == pytest.approx(0.4)


def test_odd_images_arrive_as_bgr_uint8(tmp_path: Path) -> None:
    assert cv2.imwrite(str(tmp_path / "a_grey.png"), np.full((5, 6), 80, np.uint8))
    assert cv2.imwrite(str(tmp_path / "b_deep.png"), np.full((5, 6, 3), 40000, np.uint16))
    assert cv2.imwrite(str(tmp_path / "c_alpha.png"), np.full((5, 6, 4), 255, np.uint8))
    cap = open_capture(str(tmp_path), pace=False)
    cap.start()
    frames = drain(cap)
    cap.stop()
    assert all(f.image.dtype == np.uint8 and f.image.shape == (5, 6, 3) and f.image.flags.c_contiguous
               for f in frames)
    assert levels(frames) == [80, 40000 >> 8, 255]


@pytest.mark.parametrize("spec, message", [("empty", "no images in this folder"),
                                           ("nothing*.png", "no images match this pattern")])
def test_specs_that_name_no_image(tmp_path: Path, spec: str, message: str) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match=message):
        open_capture(str(tmp_path / spec))
