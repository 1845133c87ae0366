"""scripts/eval_iqa.py --mos: a folder of rated photos -> SROCC/PLCC per measure, clear errors."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from livecheck.dev import load_script

pytest.importorskip("scipy", reason="scipy (the eval extra) not installed")

SIGMAS = (0.0, 1.0, 2.0, 3.5, 6.0)


@pytest.fixture()
def eval_iqa():
    return load_script("eval_iqa")


def _photo() -> np.ndarray:
    """A real clean photo (Kodak's parrots; the test skips without ../shared)."""
    from support.photos import clean_photo

    return clean_photo()


def _rated_folder(folder: Path, header: str | None = "file,mos", higher: bool = True) -> Path:
    """Five blur levels of one photo, rated 5 (sharp) .. 1 (blurriest), or as DMOS 1 .. 5."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [header] if header else []
    for i, sigma in enumerate(SIGMAS):
        img = _photo() if sigma == 0 else cv2.GaussianBlur(_photo(), (0, 0), sigma)
        cv2.imwrite(str(folder / f"p{i}.png"), img)
        lines.append(f"p{i}.png,{5 - i if higher else 1 + i}")
    (folder / "ratings.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_ratings_correlate_with_every_measure(eval_iqa, tmp_path: Path) -> None:
    result = eval_iqa.evaluate_mos(_rated_folder(tmp_path / "a"))
    assert result["images"] == len(SIGMAS) and result["ratings"] == "higher is better"
    assert set(result["models"]) >= {"nima", "diqa", "brisque", "quality"}
    assert result["models"]["quality"]["srocc"] >= 0.85  # at most one adjacent pair swapped
    assert result["models"]["quality"]["plcc"] > 0.5
    # the same ratings given as DMOS (lower is better) give the same figures
    dmos = eval_iqa.evaluate_mos(_rated_folder(tmp_path / "b", "file,dmos", higher=False))
    assert dmos["models"]["quality"] == pytest.approx(result["models"]["quality"])


def test_direction_comes_from_the_flag_when_the_header_does_not_say(eval_iqa, tmp_path: Path) -> None:
    folder = _rated_folder(tmp_path, header=None, higher=False)
    with pytest.raises(eval_iqa.MosError, match="--mos-direction"):
        eval_iqa.read_mos(folder)
    rated, higher, _ = eval_iqa.read_mos(folder, "lower")
    assert len(rated) == len(SIGMAS) and not higher
    (folder / "ratings.csv").write_text("file,mos\np0.png,1\np1.png,2\np2.png,3\n")
    with pytest.raises(eval_iqa.MosError, match="disagree"):
        eval_iqa.read_mos(folder, "lower")


@pytest.mark.parametrize("csv_text, message", [
    ("file,mos\np0.png,5\np1.png,good\np2.png,3\n", r"ratings.csv:3: score 'good' is not a number"),
    ("file,mos\np0.png\np1.png,4\np2.png,3\n", r"ratings.csv:2: expected file,score"),
    ("", "empty CSV"),
    ("file,mos\np0.png,5\nnot_there.png,4\np2.png,3\n", r"1 of 3 listed files do not exist \(first: not_there.png\)"),
])
def test_malformed_csv_or_missing_files_give_one_line(eval_iqa, tmp_path: Path, csv_text: str, message: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = _rated_folder(tmp_path)
    (folder / "ratings.csv").write_text(csv_text)
    with pytest.raises(eval_iqa.MosError, match=message):
        eval_iqa.read_mos(folder)
    assert eval_iqa.main(["--mos", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("eval_iqa: ")


def test_unreadable_images_are_skipped_with_a_line(eval_iqa, tmp_path: Path) -> None:
    folder = _rated_folder(tmp_path)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    with (folder / "ratings.csv").open("a") as fh:
        fh.write("broken.jpg,3\n")
    lines: list[str] = []
    result = eval_iqa.evaluate_mos(folder, names=("brisque",), warn=lines.append)
    assert result["images"] == len(SIGMAS) and result["skipped"] == [str(folder / "broken.jpg")]
    assert len(lines) == 1 and "broken.jpg: skipped" in lines[0]
    assert set(result["models"]) == {"brisque"}
