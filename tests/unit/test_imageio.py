"""Safe still-image reading: every bad file gets a one-line ImageReadError, odd good files read right."""
from __future__ import annotations

import os
import struct
import time
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.media import png, png_chunk, with_exif_orientation

from livecheck.dev import shared_root
from livecheck.imageio import (
    _CODEC_MESSAGE,
    ImageFormat,
    ImageReadError,
    iter_image_paths,
    read_header,
    read_image,
    read_picture,
)
from livecheck.native_stderr import native_messages

SHARED = shared_root()


def _photo(height: int = 48, width: int = 64) -> np.ndarray:
    rng = np.random.default_rng(0)
    image = cv2.GaussianBlur(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), (5, 5), 0)
    image[: height // 4, : width // 4] = (0, 0, 255)  # a red top-left corner shows orientation
    return image


def _write(path: Path, image: np.ndarray, *params: int) -> Path:
    assert cv2.imwrite(str(path), image, list(params))
    return path


def _assert_one_line_error(path: Path, *fragments: str) -> None:
    with pytest.raises(ImageReadError) as caught:
        read_image(path)
    message = str(caught.value)
    assert "\n" not in message
    assert caught.value.path == path
    for fragment in fragments:
        assert fragment in message


# --- bad files ---------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    _assert_one_line_error(tmp_path / "nope.jpg", "no such file")


def test_zero_bytes(tmp_path: Path) -> None:
    (tmp_path / "empty.jpg").write_bytes(b"")
    _assert_one_line_error(tmp_path / "empty.jpg", "empty")


def test_folder_is_not_an_image(tmp_path: Path) -> None:
    _assert_one_line_error(tmp_path, "folder")


def test_text_file_named_jpg(tmp_path: Path) -> None:
    (tmp_path / "notes.jpg").write_text("these are not pixels\n")
    _assert_one_line_error(tmp_path / "notes.jpg", "not an image")


@pytest.mark.parametrize("keep", [0.002, 0.3, 0.9, 0.999])
@pytest.mark.parametrize("progressive", [False, True])
def test_truncated_jpeg_is_refused(tmp_path: Path, keep: float, progressive: bool) -> None:
    data = _write(tmp_path / "full.jpg", _photo(240, 320), cv2.IMWRITE_JPEG_PROGRESSIVE, int(progressive)).read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: max(3, int(len(data) * keep))])
    _assert_one_line_error(cut, "corrupt")


def test_jpeg_without_end_marker_is_refused(tmp_path: Path) -> None:
    data = _write(tmp_path / "full.jpg", _photo()).read_bytes()
    assert data.endswith(b"\xff\xd9")
    (tmp_path / "cut.jpg").write_bytes(data[:-2])
    _assert_one_line_error(tmp_path / "cut.jpg", "truncated")


def test_jpeg_with_trailing_data_still_reads(tmp_path: Path) -> None:
    """Phones append data after the JPEG (motion photos); the picture itself is whole."""
    data = _write(tmp_path / "full.jpg", _photo()).read_bytes()
    (tmp_path / "motion.jpg").write_bytes(data + b"\x00\x00\x00\x18ftypmp42" + bytes(500))
    assert read_image(tmp_path / "motion.jpg").shape == (48, 64, 3)


@pytest.mark.parametrize("keep", [0.01, 0.5, 0.95])
def test_truncated_png_is_refused(tmp_path: Path, keep: float) -> None:
    data = _write(tmp_path / "full.png", _photo(240, 320)).read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: int(len(data) * keep)])
    _assert_one_line_error(tmp_path / "cut.png", "truncated")


def test_bad_files_leave_stderr_quiet(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    jpeg = _write(tmp_path / "full.jpg", _photo(240, 320)).read_bytes()
    png = _write(tmp_path / "full.png", _photo(240, 320)).read_bytes()
    (tmp_path / "cut.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    (tmp_path / "cut.png").write_bytes(png[: len(png) // 2])
    capfd.readouterr()
    for name in ("cut.jpg", "cut.png"):
        with pytest.raises(ImageReadError):
            read_image(tmp_path / name)
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("damage", ["zeros", "end_marker"])
def test_jpeg_with_damaged_data_is_refused_quietly(tmp_path: Path, damage: str,
                                                   capfd: pytest.CaptureFixture[str]) -> None:
    data = bytearray(_write(tmp_path / "full.jpg", _photo(240, 320)).read_bytes())
    middle = len(data) // 2
    if damage == "zeros":
        data[middle:middle + 200] = bytes(200)
    else:
        data[middle:middle + 2] = b"\xff\xd9"
    (tmp_path / "bad.jpg").write_bytes(bytes(data))
    capfd.readouterr()
    _assert_one_line_error(tmp_path / "bad.jpg", "damaged JPEG data", "Corrupt JPEG data")
    assert capfd.readouterr().err == ""


def test_a_stray_byte_before_the_jpeg_end_marker_is_harmless(tmp_path: Path) -> None:
    data = _write(tmp_path / "full.jpg", _photo()).read_bytes()
    (tmp_path / "stray.jpg").write_bytes(data[:-2] + b"\x00" + data[-2:])
    np.testing.assert_array_equal(read_image(tmp_path / "stray.jpg"), read_image(tmp_path / "full.jpg"))


def test_other_stderr_output_during_a_decode_is_passed_on(capfd: pytest.CaptureFixture[str]) -> None:
    capfd.readouterr()
    with native_messages(_CODEC_MESSAGE) as messages:
        os.write(2, b"Corrupt JPEG data: premature end of data segment\n")
        os.write(2, b"another thread says hello\n")
    assert messages == ["Corrupt JPEG data: premature end of data segment"]
    assert capfd.readouterr().err == "another thread says hello\n"


def test_huge_png_header_is_refused_before_decoding(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png(40000, 40000, 2, bytes(1000)))
    start = time.monotonic()
    _assert_one_line_error(bomb, "40000x40000", "limit")
    assert time.monotonic() - start < 0.5


def test_huge_jpeg_header_is_refused_before_decoding(tmp_path: Path) -> None:
    data = bytearray(_write(tmp_path / "small.jpg", _photo()).read_bytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", 40000, 40000)
    (tmp_path / "bomb.jpg").write_bytes(bytes(data))
    assert read_header(bytes(data)).width == 40000
    _assert_one_line_error(tmp_path / "bomb.jpg", "40000x40000")


def test_pixel_limit_is_a_parameter(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.png", _photo(100, 100))
    with pytest.raises(ImageReadError, match="100x100"):
        read_image(path, max_pixels=9_999)
    assert read_image(path, max_pixels=10_000).shape == (100, 100, 3)


def test_unsupported_format(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.ppm", _photo())
    _assert_one_line_error(path, "supported format", "JPEG")


def test_corrupt_png_data_is_refused(tmp_path: Path) -> None:
    rows = bytes(3 * 4 + 1) * 3
    data = bytearray(png(4, 3, 2, rows))
    idat = data.index(b"IDAT")
    data[idat + 4:idat + 10] = b"garbag"
    (tmp_path / "bad.png").write_bytes(bytes(data))
    _assert_one_line_error(tmp_path / "bad.png", "corrupt")


# --- good files that need care -----------------------------------------------------------------


@pytest.mark.parametrize("suffix, fmt", [(".jpg", ImageFormat.JPEG), (".png", ImageFormat.PNG),
                                         (".bmp", ImageFormat.BMP), (".tif", ImageFormat.TIFF),
                                         (".webp", ImageFormat.WEBP), (".gif", ImageFormat.GIF)])
def test_every_supported_format_reads_with_the_header_size(tmp_path: Path, suffix: str, fmt: ImageFormat) -> None:
    path = _write(tmp_path / f"a{suffix}", _photo(37, 53))
    header = read_header(path.read_bytes())
    assert (header.format, header.width, header.height) == (fmt, 53, 37)
    image = read_image(path)
    assert image.shape == (37, 53, 3) and image.dtype == np.uint8 and image.flags.c_contiguous


@pytest.mark.parametrize("quality", [80, 101])  # lossy VP8 and lossless VP8L
def test_webp_header_sizes(tmp_path: Path, quality: int) -> None:
    path = _write(tmp_path / "a.webp", _photo(300, 500), cv2.IMWRITE_WEBP_QUALITY, quality)
    header = read_header(path.read_bytes())
    assert (header.width, header.height) == (500, 300)


def test_sixteen_bit_png_is_scaled_to_eight_bits(tmp_path: Path) -> None:
    wide = (np.arange(2 * 3 * 3, dtype=np.uint32).reshape(2, 3, 3) * 3800).astype(np.uint16)
    image = read_image(_write(tmp_path / "deep.png", wide))
    assert image.dtype == np.uint8
    np.testing.assert_allclose(image.astype(int), wide.astype(int) / 257, atol=1)


def test_greyscale_becomes_three_equal_channels(tmp_path: Path) -> None:
    grey = np.array([[0, 100, 255], [10, 20, 30]], np.uint8)
    image = read_image(_write(tmp_path / "grey.png", grey))
    assert image.shape == (2, 3, 3)
    for channel in range(3):
        np.testing.assert_array_equal(image[:, :, channel], grey)


def test_transparent_png_is_shown_over_white(tmp_path: Path) -> None:
    bgra = np.zeros((2, 3, 4), np.uint8)
    bgra[0, 0] = (0, 0, 255, 255)  # opaque red
    bgra[0, 1] = (0, 0, 0, 128)  # half-transparent black
    image = read_image(_write(tmp_path / "alpha.png", bgra))
    assert image.shape == (2, 3, 3)
    assert tuple(image[0, 0]) == (0, 0, 255)
    assert all(126 <= v <= 128 for v in image[0, 1])
    assert tuple(image[1, 2]) == (255, 255, 255)


def test_grey_with_alpha_png(tmp_path: Path) -> None:
    rows = b"".join(b"\x00" + bytes([v, a]) * 2 for v, a in ((0, 255), (0, 0)))
    image = read_image(_write_bytes(tmp_path / "ga.png", png(2, 2, 4, rows)))
    assert tuple(image[0, 0]) == (0, 0, 0) and tuple(image[1, 0]) == (255, 255, 255)


def _write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_palette_png(tmp_path: Path) -> None:
    palette = png_chunk(b"PLTE", bytes([255, 0, 0, 0, 255, 0]))  # index 0 red, 1 green (RGB)
    rows = b"\x00" + bytes([0, 1, 0]) + b"\x00" + bytes([1, 1, 0])
    image = read_image(_write_bytes(tmp_path / "pal.png", png(3, 2, 3, rows, extra=palette)))
    assert image.shape == (2, 3, 3)
    assert tuple(image[0, 0]) == (0, 0, 255) and tuple(image[0, 1]) == (0, 255, 0)


@pytest.mark.parametrize("height, width", [(1, 1), (2, 3)])
@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_tiny_images(tmp_path: Path, height: int, width: int, suffix: str) -> None:
    image = read_image(_write(tmp_path / f"tiny{suffix}", np.full((height, width, 3), 77, np.uint8)))
    assert image.shape == (height, width, 3)


def test_exif_rotated_jpeg_is_read_as_a_viewer_shows_it(tmp_path: Path) -> None:
    stored = _photo(40, 60)
    plain = _write(tmp_path / "plain.jpg", stored).read_bytes()
    rotated = _write_bytes(tmp_path / "rot.jpg", with_exif_orientation(plain, 6))  # 6: turn 90 deg clockwise
    assert (read_header(rotated.read_bytes()).width, read_header(rotated.read_bytes()).height) == (60, 40)
    image = read_image(rotated)
    assert image.shape == (60, 40, 3)
    # the red corner, stored top-left, is shown top-right after a clockwise quarter turn
    assert image[2, -3, 2] > 200 and image[2, -3, 0] < 60
    np.testing.assert_allclose(image.astype(int), np.rot90(read_image(tmp_path / "plain.jpg"), -1).astype(int), atol=2)


@pytest.mark.parametrize(("long_side", "decode_to", "factor"), [
    (4000, 1920, 2), (8000, 1920, 4), (3800, 1920, 1), (4000, 0, 1), (4000, 1000, 4), (8000, 500, 8)])
def test_a_large_jpeg_is_decoded_at_the_largest_reduction_still_as_large_as_asked(
        tmp_path: Path, long_side: int, decode_to: int, factor: int) -> None:
    path = _write(tmp_path / "big.jpg", cv2.resize(_photo(48, 64), (long_side, long_side // 2)))
    picture = read_picture(path, decode_to=decode_to)
    assert (picture.width, picture.height, picture.reduction) == (long_side, long_side // 2, factor)
    assert picture.image.shape == (long_side // 2 // factor, long_side // factor, 3)
    assert max(picture.image.shape) >= decode_to


def test_a_reduced_decode_looks_like_the_full_one_shrunk(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.jpg", cv2.resize(_photo(48, 64), (4000, 3000), interpolation=cv2.INTER_CUBIC))
    reduced = read_picture(path, decode_to=1920).image.astype(np.float32)
    shrunk = cv2.resize(read_image(path), (2000, 1500), interpolation=cv2.INTER_AREA).astype(np.float32)
    assert float(np.abs(reduced - shrunk).mean()) < 1.0


def test_a_reduced_exif_rotated_jpeg_keeps_its_turn_and_its_file_size(tmp_path: Path) -> None:
    plain = _write(tmp_path / "plain.jpg", cv2.resize(_photo(40, 60), (6000, 4000))).read_bytes()
    rotated = _write_bytes(tmp_path / "rot.jpg", with_exif_orientation(plain, 6))
    picture = read_picture(rotated, decode_to=1920)
    assert (picture.width, picture.height, picture.reduction) == (4000, 6000, 2)
    assert picture.image.shape == (3000, 2000, 3)
    assert picture.image[20, -30, 2] > 200 and picture.image[20, -30, 0] < 60  # red corner top-right


def test_only_jpegs_are_decoded_reduced(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.png", cv2.resize(_photo(48, 64), (4000, 2000)))
    picture = read_picture(path, decode_to=1920)
    assert (picture.reduction, picture.image.shape) == (1, (2000, 4000, 3))


def test_shared_photos_read_at_their_header_size() -> None:
    pristine = SHARED / "data" / "pristine"
    if not pristine.is_dir():
        pytest.skip(f"../shared/data not found: {pristine}")
    paths = list(iter_image_paths([pristine]))
    assert len(paths) >= 100 and all(isinstance(p, Path) for p in paths)
    for path in paths:
        assert isinstance(path, Path)
        header = read_header(path.read_bytes())
        image = read_image(path)
        assert image.shape[:2] == (header.height, header.width), path


# --- expanding specs ---------------------------------------------------------------------------


def test_iter_image_paths_expands_files_folders_and_globs(tmp_path: Path) -> None:
    for rel in ["b/2.png", "b/10.jpg", "a.JPG", "b/c/z.webp", "b/notes.txt", "b/.hidden.jpg", ".git/x.png"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    explicit = tmp_path / "b" / "notes.txt"
    entries = list(iter_image_paths([str(tmp_path), str(tmp_path / "b" / "*.png"), str(explicit),
                                     str(tmp_path / "*.gif"), str(tmp_path / "missing.jpg")]))
    rel = [e.relative_to(tmp_path).as_posix() for e in entries if isinstance(e, Path)]
    assert rel == ["a.JPG", "b/10.jpg", "b/2.png", "b/c/z.webp", "b/notes.txt"]
    errors = entries[5:]
    assert len(errors) == 2 and all(isinstance(e, ImageReadError) for e in errors)
    assert "no images match" in str(errors[0]) and errors[0].path == str(tmp_path / "*.gif")
    assert "no such file" in str(errors[1]) and errors[1].path == str(tmp_path / "missing.jpg")


def test_empty_folder_is_an_error_entry(tmp_path: Path) -> None:
    (entry,) = iter_image_paths([tmp_path])
    assert isinstance(entry, ImageReadError) and "no images" in str(entry)


def test_truncated_webp_header_is_an_image_read_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.webp"
    path.write_bytes(b"RIFFr\x07\x00\x00WEBPVP8Le\x07\x00\x00/\x1f\xc0")
    with pytest.raises(ImageReadError):
        read_image(path)


def test_tiff_with_a_repeated_size_tag_is_refused_before_decoding(tmp_path: Path) -> None:
    w = h = 20000
    raw = zlib.compress(bytes(w * h // 100), 9)
    tags = [(256, w), (257, h), (258, 8), (259, 8), (262, 1), (273, 8 + 2 + 12 * 10 + 4), (277, 1),
            (278, h), (279, len(raw)), (257, 1)]
    ifd = struct.pack("<H", len(tags)) + b"".join(struct.pack("<HHII", t, 4, 1, v) for t, v in tags)
    path = tmp_path / "dup.tif"
    path.write_bytes(b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + raw)
    with pytest.raises(ImageReadError, match="header"):
        read_image(path)
