"""Bad input end to end: a folder of junk and odd photos through `livecheck score`, odd arrays
through `livecheck.assess`, and mutated image bytes through the decoder and the CLI.

tests/test_imageio.py checks each bad file against ``read_image``; here the same kinds of file go
through the command a user runs, in one batch, and the batch must carry on, report each failure
once and keep its memory bounded.
"""
from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.media import png, png_chunk, with_exif_orientation

from livecheck import assess
from livecheck.cli import main
from livecheck.imageio import ImageReadError, decode_image

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}
SCORE_KEYS = {"path", "width", "height", "decode_scale", "hints", "blur_kind", "quality", "metrics", "models",
              "regions"}
MODEL_NAMES = {"nima", "diqa", "brisque"}
BOMB_MARGIN_MB = 250
"""Extra peak memory allowed over the same command on one small photo: a decoded 40000x40000
bomb would need 4800 MB. (Measured as a difference because a child's ru_maxrss can include
memory of the large test process it was forked from.)"""


def photo(height: int = 240, width: int = 320, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = cv2.resize(rng.integers(0, 256, (height // 8, width // 8, 3), dtype=np.uint8), (width, height),
                       interpolation=cv2.INTER_CUBIC)
    cv2.rectangle(image, (width // 8, height // 8), (width // 3, height // 3), (20, 30, 230), -1)
    cv2.putText(image, "livecheck", (10, height - 20), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (250, 250, 250), 2)
    return image


def write(path: Path, image: np.ndarray) -> Path:
    assert cv2.imwrite(str(path), image)
    return path


def run_and_measure(argv: list[str], workdir: Path) -> tuple[int, str, str, float]:
    """Run ``python -m livecheck ARGV``: exit code, stdout, stderr and that child's peak RSS in MB.

    ``os.wait4`` reports the resource usage of this one child; RUSAGE_CHILDREN would mix in every
    other subprocess the test session has run.
    """
    out_path, err_path = workdir / "stdout.txt", workdir / "stderr.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "livecheck", *argv], stdout=out, stderr=err, env=ENV)
        _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    return proc.returncode, out_path.read_text(), err_path.read_text(), usage.ru_maxrss / 1024.0


# --- a batch of junk and odd-but-good photos through `livecheck score` --------------------------

BAD = {  # file name -> a word its one-line error must contain
    "zero.jpg": "empty",
    "cut.jpg": "truncated",
    "cut.png": "truncated",
    "notes.jpg": "not an image",
    "bomb.png": "40000x40000",
    "bomb.jpg": "40000x40000",
}


def odd_but_good(folder: Path) -> dict[str, tuple[int, int]]:
    """Files every viewer opens; name -> (width, height) as a viewer shows them."""
    base = photo()
    write(folder / "photo.png", base)
    write(folder / "photo.jpg", base)
    write(folder / "deep16.png", base.astype(np.uint16) * 257)
    write(folder / "grey.png", cv2.cvtColor(base, cv2.COLOR_BGR2GRAY))
    write(folder / "opaque_bgra.png", cv2.cvtColor(base, cv2.COLOR_BGR2BGRA))
    palette = png_chunk(b"PLTE", bytes([255, 0, 0, 0, 255, 0, 0, 0, 255]))
    rows = b"".join(b"\x00" + bytes([(x + y) % 3 for x in range(5)]) for y in range(4))
    (folder / "palette.png").write_bytes(png(5, 4, 3, rows, extra=palette))
    write(folder / "one.png", base[:1, :1])
    write(folder / "two_by_three.jpg", base[:2, :3])
    write(folder / "black.png", np.zeros((240, 320, 3), np.uint8))
    write(folder / "white.png", np.full((240, 320, 3), 255, np.uint8))
    stored = write(folder / "stored.jpg", photo(120, 200)).read_bytes()
    (folder / "stored.jpg").unlink()
    (folder / "exif_rotated.jpg").write_bytes(with_exif_orientation(stored, 6))  # stored 200x120, shown 120x200
    return {"photo.png": (320, 240), "photo.jpg": (320, 240), "deep16.png": (320, 240), "grey.png": (320, 240),
            "opaque_bgra.png": (320, 240), "palette.png": (5, 4), "one.png": (1, 1),
            "two_by_three.jpg": (3, 2), "black.png": (320, 240), "white.png": (320, 240),
            "exif_rotated.jpg": (120, 200)}


def junk(folder: Path) -> None:
    jpeg = write(folder / "whole.jpg", photo()).read_bytes()
    png = write(folder / "whole.png", photo()).read_bytes()
    (folder / "whole.jpg").unlink()
    (folder / "whole.png").unlink()
    (folder / "zero.jpg").write_bytes(b"")
    (folder / "cut.jpg").write_bytes(jpeg[: len(jpeg) * 2 // 3])
    (folder / "cut.png").write_bytes(png[: len(png) * 2 // 3])
    (folder / "notes.jpg").write_text("a shopping list, not a photo\n")
    ihdr = struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0)  # 4.8 GB once decoded
    (folder / "bomb.png").write_bytes(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
                                      + png_chunk(b"IDAT", np.zeros(1 << 20, np.uint8).tobytes())
                                      + png_chunk(b"IEND", b""))
    small = bytearray(jpeg)
    sof = small.index(b"\xff\xc0")
    small[sof + 5:sof + 9] = struct.pack(">HH", 40000, 40000)
    (folder / "bomb.jpg").write_bytes(bytes(small))


def test_score_batch_of_junk_and_odd_photos(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    good = odd_but_good(folder)
    junk(folder)
    rc, out, err, peak_mb = run_and_measure(["score", "--json", str(folder)], tmp_path)
    baseline = tmp_path / "baseline"
    baseline.mkdir()
    write(baseline / "one.png", photo())
    *_, baseline_mb = run_and_measure(["score", "--json", str(baseline)], baseline)

    assert "Traceback" not in out + err
    assert rc == 1, "exit code 1: some files failed"
    records = {Path(r["path"]).name: r for r in map(json.loads, out.splitlines())}
    assert set(records) == set(good) | set(BAD), "every file gets exactly one line, the batch went on"
    for name, (width, height) in good.items():
        record = records[name]
        assert set(record) == SCORE_KEYS, name
        assert (record["width"], record["height"]) == (width, height), name
        assert 0 <= record["quality"] <= 100, name
        assert all(np.isfinite(v) for v in record["metrics"].values()), name
        assert_every_model_scored(record["models"], name)
    for name, word in BAD.items():
        assert set(records[name]) == {"path", "error"}, name
        assert word in records[name]["error"], name
    err_lines = err.splitlines()
    assert len(err_lines) == len(BAD), err
    for name in BAD:
        (line,) = [line for line in err_lines if name in line]
        assert line.startswith(f"livecheck: {folder / name}: ")

    # the same picture read five ways scores the same
    reference = records["photo.png"]["metrics"]
    for name in ("deep16.png", "opaque_bgra.png"):
        assert records[name]["metrics"] == reference, name
    assert records["grey.png"]["metrics"]["mean_luma"] == pytest.approx(reference["mean_luma"], abs=1.0)
    assert records["black.png"]["hints"] == ["too_dark"]
    assert records["white.png"]["hints"] == ["too_bright"]
    assert peak_mb < baseline_mb + BOMB_MARGIN_MB, \
        f"peak RSS {peak_mb:.0f} MB vs {baseline_mb:.0f} MB for one photo: a bomb was decoded?"


def assert_every_model_scored(models: dict[str, dict], name: str) -> None:
    """Each learned model gave finite values: neither an error nor unavailable."""
    assert set(models) == MODEL_NAMES, name
    for model, entry in models.items():
        assert entry and not {"error", "unavailable"} & set(entry), (name, model, entry)
        # score's entries also say, in "input", what the model looked at
        assert all(np.isfinite(v) for k, v in entry.items() if k != "input"), (name, model, entry)


def test_odd_but_good_photos_alone_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = odd_but_good(tmp_path)
    assert main(["score", "--json", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert len(records) == len(good)
    for record in records:
        assert_every_model_scored(record["models"], record["path"])
    assert captured.err == ""


def test_odd_but_good_photos_replay_through_every_model(tmp_path: Path) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    good = odd_but_good(folder)
    out = tmp_path / "r.jsonl"
    # a folder plays at 2 fps of media time, the models' slots are at most 0.5 s apart: each
    # odd photo meets each model
    assert main(["replay", str(folder), "--no-pace", "--jsonl", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    frames = [line for line in lines if "frame" in line]
    assert len(frames) == len(good)
    for line in frames:
        assert {entry["seq"] for entry in line["models"].values()} == {line["frame"]}, line
        assert_every_model_scored({n: {k: v for k, v in e.items() if k not in ("seq", "age_ms")}
                                   for n, e in line["models"].items()}, line["frame"])
    assert lines[-1]["summary"]["model_failures"] == {}


# --- arrays handed to livecheck.assess (what tests/test_fastchecks.py does not try) -------------

def _strided_views() -> dict[str, np.ndarray]:
    bgr = photo(120, 160)
    bgra = np.ascontiguousarray(np.dstack([bgr, np.full(bgr.shape[:2], 255, np.uint8)]))
    doubled = np.ascontiguousarray(np.repeat(bgr, 2, axis=2))
    read_only = bgr.copy()
    read_only.flags.writeable = False
    return {
        "reversed channels (negative channel stride)": bgr[:, :, ::-1],
        "BGR view into BGRA (pixel stride 4)": bgra[:, :, :3],
        "every other channel": doubled[:, :, ::2],
        "transposed": bgr.transpose(1, 0, 2),
        "upside down": bgr[::-1],
        "read-only": read_only,
        "zero-stride broadcast": np.broadcast_to(bgr[:1], bgr.shape),
        "over foreign memory": np.frombuffer(bytes(bgr.tobytes()), np.uint8).reshape(bgr.shape),
    }


@pytest.mark.parametrize("name", list(_strided_views()))
def test_any_memory_layout_scores_like_its_contiguous_copy(name: str) -> None:
    view = _strided_views()[name]
    expected = assess(np.ascontiguousarray(view))
    got = assess(view)
    assert got.metrics == expected.metrics and got.hints == expected.hints


@pytest.mark.parametrize("frame, message", [
    (np.zeros((), np.uint8), "shape"),
    (np.zeros((4, 4, 3), object), "dtype"),
    (np.zeros((4, 4, 3), np.int64), "dtype"),
    (np.zeros((4, 4, 3), ">u2"), "dtype"),
    (np.zeros((4, 4, 3), np.complex64), "dtype"),
    (np.full((4, 4, 3), np.nan, np.float32), "float"),
    (None, "numpy array"),
    (b"\x00" * 48, "numpy array"),
])
def test_more_bad_frames_raise_a_clear_value_error(frame: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        assess(frame)  # type: ignore[arg-type]


# --- mutated image bytes -------------------------------------------------------------------------

def _encoded(ext: str, *params: int) -> bytes:
    ok, data = cv2.imencode(ext, photo(24, 32), list(params))
    assert ok
    return data.tobytes()


SEEDS = {
    "png": _encoded(".png"),
    "jpeg": _encoded(".jpg"),
    "progressive jpeg": _encoded(".jpg", cv2.IMWRITE_JPEG_PROGRESSIVE, 1),
}


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["overwrite", "cut", "insert", "delete", "header"]))
        at = draw(st.integers(0, len(data) - 1)) if data else 0
        if kind == "overwrite" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif data:  # the first bytes hold the format and the declared size
            data[min(at, 40) % len(data)] = draw(st.integers(0, 255))
    return bytes(data)


def _check_decoded(data: bytes) -> None:
    try:
        image = decode_image(data)
    except ImageReadError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
    assert image.flags.c_contiguous and image.size > 0


@settings(max_examples=100, deadline=None)
@given(data=mutated())
def test_mutated_png_and_jpeg_bytes_decode_or_raise_image_read_error(data: bytes) -> None:
    _check_decoded(data)


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_decode_or_raise_image_read_error(data: bytes) -> None:
    _check_decoded(data)


@settings(max_examples=50, deadline=None)
@given(prefix=st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"]), rest=st.binary(max_size=200))
def test_junk_behind_a_valid_signature_raises_image_read_error(prefix: bytes, rest: bytes) -> None:
    _check_decoded(prefix + rest)


def test_mutated_files_through_score_keep_the_batch_going(tmp_path: Path) -> None:
    rng = random.Random(6)
    folder = tmp_path / "mutated"
    folder.mkdir()
    for i in range(24):
        kind = sorted(SEEDS)[i % len(SEEDS)]
        data = bytearray(SEEDS[kind])
        for _ in range(1 + i % 3):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if i % 4 == 0:
            data = data[: rng.randrange(len(data))]
        (folder / f"m{i:02d}.{'png' if kind == 'png' else 'jpg'}").write_bytes(bytes(data))
    proc = subprocess.run([sys.executable, "-m", "livecheck", "score", "--json", str(folder)],
                          check=False, capture_output=True, text=True, timeout=60, env=ENV)
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(records) == 24
    failed = [r for r in records if "error" in r]
    assert all(set(r) == {"path", "error"} for r in failed)
    assert all(set(r) == SCORE_KEYS for r in records if "error" not in r)
    assert proc.returncode == (1 if failed else 0)
    assert failed, "some of these mutations must be refused"
    err_lines = proc.stderr.splitlines()
    chatter = [line for line in err_lines if not any(r["path"] in line for r in failed)]
    assert not chatter, "one line per failed file, no codec chatter"
    assert len(err_lines) == len(failed), "one line per failed file"
    assert all(line.startswith("livecheck: ") for line in err_lines)
