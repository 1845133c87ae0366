"""A sorted list of still images (a folder, a glob, or one photo), read with livecheck.imageio.

Unreadable files are skipped with a warning and counted; they keep their time slot, so a paced
folder stays in step with its clock. A large JPEG is decoded only as large as ``decode_to``
needs (:func:`livecheck.imageio.read_picture`), as `livecheck score` reads it.
"""
from __future__ import annotations

from pathlib import Path

from livecheck.capture.base import Read, ReadStatus, Source
from livecheck.capture.events import SourceError
from livecheck.imageio import ImageReadError, read_picture

DEFAULT_FOLDER_FPS = 2.0


class ImageFolderSource(Source):
    live = False

    def __init__(self, paths: list[Path], label: str, fps: float | None = None, decode_to: int = 0) -> None:
        self.paths = paths
        self.label = label
        self.decode_to = decode_to
        self._fps = fps or DEFAULT_FOLDER_FPS
        self._index = 0

    @property
    def description(self) -> str:
        count = f"{len(self.paths)} image" + ("" if len(self.paths) == 1 else "s")
        return f"images {self.label} ({count} @ {self._fps:g} fps)"

    @property
    def nominal_fps(self) -> float | None:
        return self._fps

    @property
    def media_fps(self) -> float | None:
        return self._fps

    def open(self) -> None:
        if not self.paths:
            raise SourceError(f"no images in {self.label}")
        self._index = 0

    def read(self) -> Read:
        warnings: list[str] = []
        while self._index < len(self.paths):
            index = self._index
            self._index += 1
            try:
                image = read_picture(self.paths[index], decode_to=self.decode_to).image
            except ImageReadError as error:
                warnings.append(f"{self.paths[index]}: {error} (skipped)")
                continue
            return Read(ReadStatus.FRAME, image, index=index, skipped=len(warnings), warnings=tuple(warnings))
        return Read(ReadStatus.END, skipped=len(warnings), warnings=tuple(warnings),
                    message=f"end of {self.label} ({len(self.paths)} images)")

    def close(self) -> None:
        pass
