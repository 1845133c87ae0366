"""What `livecheck score` does to one file, shared by its in-process path and its worker processes."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livecheck.analyser import Analyser
from livecheck.cli.stopping import StopRequest
from livecheck.imageio import ImageReadError, Picture, read_picture
from livecheck.pipeline import PipelineConfig
from livecheck.result import error_record, score_record


@dataclass
class Scorer:
    """Reads a file and hands its picture to the analyser (the fast checks plus whichever learned
    models could be loaded); returns the file's record.

    A JPEG of at least twice the view size is decoded at the largest of 1/2, 1/4, 1/8 of its size
    that keeps it at least as large as the view (``decode_to``; 0 decodes every pixel): the checks
    judge the picture at its viewing scale anyway, and decoding is most of a big photo's cost."""

    analyser: Analyser
    decode_to: int = 0

    @classmethod
    def load(cls, config: PipelineConfig, stop: StopRequest | None = None, *,
             full_resolution: bool = False) -> Scorer:
        """Load the models one by one; a stop requested meanwhile skips the ones not yet begun."""
        analyser = Analyser(config.thresholds, config.view_size, grid=config.grid)
        analyser.load_models(config.models, config.weights_dir, full_resolution=full_resolution,
                             cancelled=lambda: stop is not None and stop.requested)
        return cls(analyser, decode_to=0 if full_resolution else config.view_size)

    @property
    def unavailable(self) -> dict[str, str]:
        return self.analyser.unavailable

    def score(self, path: Path, picture: Picture) -> dict[str, Any]:
        inputs = {name.value: model.input for name, model in self.analyser.models.items()}
        return score_record(str(path), picture, self.analyser.analyse(picture.image), inputs, self.unavailable)

    def score_entry(self, entry: Path | ImageReadError) -> dict[str, Any]:
        """The record for one entry of ``iter_image_paths``: scored, or ``{"path", "error"}``."""
        if isinstance(entry, ImageReadError):
            return error_record(entry.path, entry)
        try:
            picture = read_picture(entry, decode_to=self.decode_to)
        except ImageReadError as exc:
            return error_record(entry, exc)
        return self.score(entry, picture)

    def close(self) -> None:
        self.analyser.close()
