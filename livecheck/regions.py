"""Where the defect is: a coarse grid over the frame, each cell judged on its own.

Each cell is measured as the whole frame is (:func:`livecheck.fastchecks.measure_prepared`): on the
frame's own analysis image (so edge strength keeps its units and a featureless cell, such as a
patch of sky, has no edges to be blurry), at the frame's viewing scale (so a cell's sharpness and
noise are what a person sees of that part of the picture shown whole), with the same rules and
thresholds. Only the hints that describe a part of a picture are judged per cell: blur, exposure
and noise. A cell reads at most the whole frame's noise: noise is the camera's, and the frame's
estimate comes from its flattest tiles, while a cell of grass or gravel has no flat tile and would
read its own texture as noise (and that noise's share would then be taken off its sharpness).
A cell's blur is judged on its sharpness alone; its acuity is not measured (:mod:`livecheck.sharpness`): within
one cell a single oriented texture (a corrugated roof, siding, ripples) has faint edges across it
beside strong ones along it, as a streak does; the frame's most textured tiles hold edges of many
orientations, which tell the two apart.
The cells are ``{"x", "y", "w", "h"}`` in 0-1 frame units, rows top to bottom.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from livecheck.fastchecks import FrameMetrics, TileBudget, _analysis_grey, as_bgr, measure_prepared
from livecheck.hint import HINT_SPECS, Hint
from livecheck.noise import NoiseEstimate
from livecheck.thresholds import Thresholds
from livecheck.view import VIEW_SIZE, view_scale

CELL_BUDGET = TileBudget(sharpness=4, noise=16, acuity=False)
"""What each cell is measured with: half the whole frame's tiles (a cell is a sixteenth of it, and
the frame's 8 sharpness and 32 noise tiles would cover most of a cell, many times over), and no
acuity (see above)."""

REGION_HINTS: tuple[Hint, ...] = tuple(h for h, spec in HINT_SPECS.items() if spec.regional)
"""The hints a cell can have: those about a part of the picture (not the frame's lighting as a whole)."""


@dataclass(frozen=True, slots=True)
class Grid:
    """``rows`` x ``cols`` cells of equal size."""

    rows: int = 4
    cols: int = 4

    def __post_init__(self) -> None:
        if not (1 <= self.rows <= 16 and 1 <= self.cols <= 16):
            raise ValueError(f"a region grid has 1-16 rows and columns, got {self.rows}x{self.cols}")


def parse_grid(text: str) -> Grid:
    """``"4x4"`` (rows x columns) -> ``Grid(4, 4)``; ``ValueError`` with a one-line message otherwise."""
    rows, sep, cols = text.lower().partition("x")
    try:
        return Grid(int(rows), int(cols if sep else rows))
    except ValueError as exc:
        if "grid" in str(exc):
            raise
        raise ValueError(f"a region grid is ROWSxCOLS (e.g. 4x4), got {text!r}") from None


@dataclass(frozen=True, slots=True)
class Region:
    """One cell: where it is (0-1 frame units), what it measured and the hints it raises."""

    x: float
    y: float
    w: float
    h: float
    metrics: FrameMetrics
    hints: frozenset[Hint]

    def to_json(self) -> dict[str, Any]:
        return {"x": round(self.x, 4), "y": round(self.y, 4), "w": round(self.w, 4), "h": round(self.h, 4),
                "hints": sorted(h.value for h in self.hints)}


def _edges(n: int, parts: int) -> np.ndarray:
    return np.linspace(0, n, parts + 1).round().astype(np.intp)


def regions(frame: np.ndarray, thresholds: Thresholds, grid: Grid = Grid(),
            view_size: int = VIEW_SIZE, whole: FrameMetrics | None = None) -> tuple[Region, ...]:
    """Each cell of ``grid`` over ``frame``, measured and judged on its own (row by row).
    ``whole``: the frame's own metrics at the same view size, where the caller has them already."""
    bgr, grey_input = as_bgr(frame)
    view = view_scale(bgr.shape, view_size)
    grey = _analysis_grey(bgr)
    h, w = bgr.shape[:2]
    ys, xs = _edges(h, grid.rows), _edges(w, grid.cols)
    ays, axs = _edges(grey.shape[0], grid.rows), _edges(grey.shape[1], grid.cols)
    if whole is None:
        whole = measure_prepared(bgr, grey_input, grey, view)
    ceiling = NoiseEstimate(whole.colour_noise, whole.luma_noise)
    cells = []
    for r in range(grid.rows):
        for c in range(grid.cols):
            part = np.ascontiguousarray(bgr[ys[r]:ys[r + 1], xs[c]:xs[c + 1]])
            part_grey = np.ascontiguousarray(grey[ays[r]:ays[r + 1], axs[c]:axs[c + 1]])
            if part.size == 0 or part_grey.size == 0:
                continue
            m = measure_prepared(part, grey_input, part_grey, view, ceiling, CELL_BUDGET)
            hints = frozenset(hint for hint in REGION_HINTS
                              if thresholds.enabled(hint) and HINT_SPECS[hint].rule(m, thresholds, False))
            cells.append(Region(xs[c] / w, ys[r] / h, (xs[c + 1] - xs[c]) / w, (ys[r + 1] - ys[r]) / h, m, hints))
    return tuple(cells)
