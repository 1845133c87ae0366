"""Safe reading of still images: one clear error for any bad file, bounded memory, what a viewer shows.

``read_image`` checks the file before OpenCV decodes it: it must exist, be non-empty, be one of the
formats listed in ``ImageFormat`` (recognised by its content, not its name) and its header must
declare at most ``max_pixels`` pixels, so a 40000x40000 "decompression bomb" is refused without
allocating anything. Decoding goes through ``cv2.imdecode`` with ``IMREAD_COLOR``, which applies
the EXIF orientation (as a photo viewer does), expands grey and palette images and scales 16-bit
samples to 8 bits; unlike ``cv2.imread``, ``imdecode`` refuses a truncated JPEG instead of
returning it with a grey bottom. A JPEG whose data is damaged inside decodes "successfully" with
garbage blocks; libjpeg's warning on stderr is the only sign, so it is caught (and kept off the
terminal) and the file refused. Transparent PNG pixels are laid over white.

A caller that needs no more than a given long side (``decode_to``: `livecheck score` judges a
photo at its viewing scale) can have a large JPEG decoded at 1/2, 1/4 or 1/8 of its size:
libjpeg then computes only the low-frequency part of each 8x8 block (``IMREAD_REDUCED_COLOR_*``),
which averages like a downscale does and skips most of the inverse transform and colour conversion
(not the entropy decoding, so a file full of fine detail or noise gains least).

``iter_image_paths`` expands files, folders (recursively) and glob patterns into image paths, and
yields (does not raise) an ``ImageReadError`` for a spec that matches nothing, so a batch carries on.
"""
from __future__ import annotations

import glob
import os
import re
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import cv2
import numpy as np

from livecheck.native_stderr import native_messages

DEFAULT_MAX_PIXELS = 100_000_000
"""100 megapixels: above any phone or DSLR photo, and about 300 MB once decoded to BGR."""

MAX_FILE_BYTES = 512 * 1024 * 1024


class ImageReadError(Exception):
    """A still image that cannot be used; ``str()`` is a one-line message for the user.

    The message does not repeat the file name; ``path`` is the file (or, from
    ``iter_image_paths``, the spec) it is about, so callers print ``f"{error.path}: {error}"``.
    """

    def __init__(self, message: str, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__(message)
        self.path = path


class ImageFormat(Enum):
    JPEG = "JPEG"
    PNG = "PNG"
    BMP = "BMP"
    TIFF = "TIFF"
    WEBP = "WebP"
    GIF = "GIF"


IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".dib", ".tif", ".tiff", ".webp", ".gif"})
"""File name endings picked up when a folder or pattern is expanded (case-insensitive)."""


@dataclass(frozen=True, slots=True)
class ImageHeader:
    format: ImageFormat
    width: int
    height: int
    has_alpha: bool = False


# OpenCV reads this once, at its first use of FFmpeg (any VideoCapture or VideoWriter), so it is
# set on import rather than in quiet_opencv(); a value the user set wins. -8 = AV_LOG_QUIET:
# livecheck reports undecodable frames itself, one line each, instead of FFmpeg's per-block noise.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


def quiet_opencv() -> None:
    """Silence OpenCV's own stderr logging: livecheck reports bad input itself, in one line."""
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)


def to_bgr8(image: np.ndarray) -> np.ndarray:
    """Any OpenCV picture (grey, BGR or BGRA; 8 or 16 bits) as contiguous BGR uint8; alpha over white."""
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)  # as IMREAD_COLOR does
    elif image.dtype != np.uint8:
        raise ValueError(f"unsupported pixel type {image.dtype}")
    if image.ndim == 2 or image.shape[2] == 1:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = _over_white(image)
    return np.ascontiguousarray(image)


def _over_white(bgra: np.ndarray) -> np.ndarray:
    alpha = bgra[:, :, 3:4].astype(np.float32) / 255.0
    return (bgra[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)


@dataclass(frozen=True, slots=True)
class Picture:
    """A decoded file: ``image`` (BGR uint8, oriented as a viewer shows it) and the file's own
    ``width`` x ``height``, oriented the same way; ``reduction`` is 1 unless the file was decoded
    smaller (``image`` is then about ``1 / reduction`` of that size on each side)."""

    image: np.ndarray
    width: int
    height: int
    reduction: int = 1


def read_image(path: str | os.PathLike[str], max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """The image at ``path`` as BGR uint8 (H, W, 3), oriented as a viewer shows it.

    Raises ImageReadError for a missing, empty, unreadable, truncated, oversized or unsupported
    file: ``str(error)`` is one line saying what is wrong (without the path), ``error.path`` the file.
    """
    return read_picture(path, max_pixels).image


def read_picture(path: str | os.PathLike[str], max_pixels: int = DEFAULT_MAX_PIXELS, *,
                 decode_to: int = 0) -> Picture:
    """``read_image`` with the file's own size, and a JPEG whose long side is at least twice
    ``decode_to`` decoded smaller (:func:`reduction`); ``decode_to`` 0 decodes every pixel."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImageReadError("no such file", path) from None
    except OSError as error:
        raise ImageReadError(f"cannot read: {error.strerror}", path) from None
    if path.is_dir():
        raise ImageReadError("a folder, not an image", path)
    if size == 0:
        raise ImageReadError("empty file (0 bytes)", path)
    if size > MAX_FILE_BYTES:
        raise ImageReadError(f"too large ({size / 2**20:.0f} MB, limit {MAX_FILE_BYTES // 2**20} MB)", path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImageReadError(f"cannot read: {error.strerror}", path) from None
    return decode_picture(data, max_pixels=max_pixels, path=path, decode_to=decode_to)


_REDUCED = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
            8: cv2.IMREAD_REDUCED_COLOR_8}


def reduction(header: ImageHeader, decode_to: int) -> int:
    """The DCT-domain reduction (1, 2, 4 or 8) a file is decoded at for a caller that needs a long
    side of ``decode_to`` px (0: every pixel): the largest that keeps the long side at or above it,
    for opaque JPEGs only (other formats decode whole anyway)."""
    if decode_to <= 0 or header.format is not ImageFormat.JPEG or header.has_alpha:
        return 1
    long_side = max(header.width, header.height)
    factor = 1
    while factor < 8 and long_side // (2 * factor) >= decode_to:
        factor *= 2
    return factor


def decode_image(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS,
                 path: str | os.PathLike[str] | None = None) -> np.ndarray:
    """``read_image`` for bytes already in memory; ``path`` only goes into the error."""
    return decode_picture(data, max_pixels, path).image


def decode_picture(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS,
                   path: str | os.PathLike[str] | None = None, decode_to: int = 0) -> Picture:
    """``read_picture`` for bytes already in memory; ``path`` only goes into the error."""
    header = read_header(data, path)
    pixels = header.width * header.height
    if pixels > max_pixels:
        raise ImageReadError(f"{header.width}x{header.height} pixels is over the limit of "
                             f"{max_pixels / 1e6:g} megapixels; refusing to decode it", path)
    if header.width == 0 or header.height == 0:
        raise ImageReadError(f"corrupt {header.format.value} header ({header.width}x{header.height})", path)
    if header.format is ImageFormat.PNG and not _png_has_end(data):
        # caught here because libpng would print its own complaint to stderr
        raise ImageReadError("truncated PNG file (no end chunk)", path)
    quiet_opencv()
    factor = reduction(header, decode_to)
    flags = cv2.IMREAD_UNCHANGED if header.has_alpha else _REDUCED[factor]
    with native_messages(_CODEC_MESSAGE) as messages:
        try:
            image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
        except cv2.error:
            image = None
    damage = next((m for m in messages if _is_damage(m)), None)
    if image is None:
        detail = f" ({damage})" if damage else ""
        raise ImageReadError(f"corrupt or truncated {header.format.value} file{detail}", path)
    if damage is not None:
        raise ImageReadError(f"damaged {header.format.value} data, parts of the picture are garbage "
                             f"({damage})", path)
    image = to_bgr8(image)
    height, width = image.shape[:2]
    if factor > 1:  # the file's own size, turned as the EXIF orientation turned the picture
        height, width = sorted((header.width, header.height), reverse=height > width)
    return Picture(image, width, height, factor)


_CODEC_MESSAGE = re.compile(r"(Corrupt JPEG data|Premature end of JPEG|Invalid JPEG|Invalid SOS|Bogus |"
                            r"Unsupported marker|Inconsistent progression|Warning: unknown JFIF|libpng )")
_BENIGN_JPEG = re.compile(r"Corrupt JPEG data: (\d+) extraneous bytes before marker 0xd9")
_BENIGN_EXTRA_BYTES = 16
"""A few stray bytes before the end marker are common in camera files and harm no pixel."""


def _is_damage(message: str) -> bool:
    if message.startswith(("libpng warning", "Warning: unknown JFIF")):
        return False  # e.g. "iCCP: known incorrect sRGB profile": the pixels are fine
    benign = _BENIGN_JPEG.match(message)
    return not (benign and int(benign.group(1)) <= _BENIGN_EXTRA_BYTES)


def read_header(data: bytes, path: str | os.PathLike[str] | None = None) -> ImageHeader:
    """Format and declared size from the first bytes of a file, without decoding any pixel."""
    try:
        header = _parse_header(data)
    except (struct.error, IndexError):
        raise ImageReadError("truncated or corrupt image header", path) from None
    if header is None:
        raise ImageReadError("not an image in a supported format "
                             f"({', '.join(f.value for f in ImageFormat)})", path)
    return header


def _parse_header(data: bytes) -> ImageHeader | None:
    if data.startswith(b"\xff\xd8\xff"):
        return _jpeg_header(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        if data[12:16] != b"IHDR":
            raise struct.error("no IHDR")
        width, height, _depth, colour_type = struct.unpack(">IIBB", data[16:26])
        return ImageHeader(ImageFormat.PNG, width, height, has_alpha=colour_type in (4, 6))
    if data[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", data[6:10])
        return ImageHeader(ImageFormat.GIF, width, height)
    if data.startswith(b"BM"):
        (dib_size,) = struct.unpack("<I", data[14:18])
        if dib_size == 12:
            width, height = struct.unpack("<HH", data[18:22])
        else:
            width, height = struct.unpack("<ii", data[18:26])
        return ImageHeader(ImageFormat.BMP, abs(width), abs(height))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_header(data)
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return _tiff_header(data)
    return None


def _png_has_end(data: bytes) -> bool:
    """Walk the chunk lengths from the signature to IEND (cheap: no chunk body is read)."""
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        if data[pos + 4:pos + 8] == b"IEND":
            return True
        pos += 12 + length
    return False


_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _jpeg_header(data: bytes) -> ImageHeader:
    pos = 2
    while True:
        while data[pos] != 0xFF:  # tolerate junk between segments, as decoders do
            pos += 1
        while data[pos] == 0xFF:
            pos += 1
        marker = data[pos]
        pos += 1
        if marker in (0xD9, 0xDA):
            raise struct.error("no frame header before the image data")
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue  # markers without a length
        (length,) = struct.unpack(">H", data[pos:pos + 2])
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[pos + 3:pos + 7])
            return ImageHeader(ImageFormat.JPEG, width, height)
        pos += length


def _webp_header(data: bytes) -> ImageHeader:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return ImageHeader(ImageFormat.WEBP, width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        if len(data) < 25:
            raise struct.error("short VP8L chunk")
        b0, b1, b2, b3 = data[21:25]
        width = 1 + (b0 | (b1 & 0x3F) << 8)
        height = 1 + (b1 >> 6 | b2 << 2 | (b3 & 0x0F) << 10)
        return ImageHeader(ImageFormat.WEBP, width, height)
    if chunk == b"VP8X":
        if len(data) < 30:
            raise struct.error("short VP8X chunk")
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return ImageHeader(ImageFormat.WEBP, width, height)
    raise struct.error("unknown WebP chunk")


def _tiff_header(data: bytes) -> ImageHeader:
    endian = "<" if data[:2] == b"II" else ">"
    (ifd,) = struct.unpack(endian + "I", data[4:8])
    (count,) = struct.unpack(endian + "H", data[ifd:ifd + 2])
    size: dict[int, int] = {}
    for i in range(count):
        tag, kind, _n = struct.unpack(endian + "HHI", data[ifd + 2 + 12 * i:ifd + 10 + 12 * i])
        if tag in (256, 257):  # ImageWidth, ImageLength: SHORT or LONG
            if tag in size:  # decoders take the first, so a repeat could smuggle a huge size past us
                raise struct.error("repeated TIFF size tag")
            value_at = ifd + 10 + 12 * i
            fmt = endian + ("H" if kind == 3 else "I")
            (size[tag],) = struct.unpack(fmt, data[value_at:value_at + struct.calcsize(fmt)])
    if len(size) != 2:
        raise struct.error("TIFF without a width and height")
    return ImageHeader(ImageFormat.TIFF, size[256], size[257])


def is_image_path(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")


def iter_image_paths(specs: Sequence[str | os.PathLike[str]]) -> Iterator[Path | ImageReadError]:
    """Expand files, folders (recursive, sorted) and glob patterns, in the order given.

    A file named explicitly is passed through whatever its extension (``read_image`` judges it);
    folders and patterns contribute files with an image extension only, skipping hidden files
    (such as macOS ``._name.jpg`` companions). A path seen before is not repeated. A spec that
    yields no image is yielded as an ``ImageReadError`` (not raised), whose ``path`` is the spec,
    so a batch can report it and carry on.
    """
    seen: set[Path] = set()
    for spec in specs:
        text = os.fspath(spec)
        path = Path(text)
        if path.is_file():
            candidates = [path]
        elif path.is_dir():
            candidates = _images_under(path)
            if not candidates:
                yield ImageReadError("no images in this folder", text)
                continue
        elif glob.has_magic(text):
            candidates = []
            for match in sorted(Path(m) for m in glob.glob(text, recursive=True)):
                if match.is_dir():
                    candidates.extend(_images_under(match))
                elif match.is_file() and is_image_path(match):
                    candidates.append(match)
            if not candidates:
                yield ImageReadError("no images match this pattern", text)
                continue
        else:
            yield ImageReadError("no such file or folder", text)
            continue
        for candidate in candidates:
            if candidate not in seen:
                seen.add(candidate)
                yield candidate


def _images_under(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / f for f in files if is_image_path(Path(f)))
    return sorted(found, key=lambda p: p.relative_to(folder).parts)
