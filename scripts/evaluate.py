"""All of livecheck's accuracy figures in one run, on ../shared/data (see the issues for the targets).

    python scripts/evaluate.py [--quick] [--json] [--only hints,iqa]

Sections: `hints` (recall per hint on real defective photos, false-hint rate on clean ones,
eval_hints.py), `iqa` (SROCC of NIMA, DIQA, BRISQUE and OpenCV's LIVE BRISQUE against
distortion level on the held-out photos, eval_iqa.py) and `brisque_real` (our BRISQUE vs the
LIVE model on real defective photos, eval_brisque.py).
"""
from __future__ import annotations

from livecheck.dev.sections import run_sections

SECTIONS = {"hints": "eval_hints", "iqa": "eval_iqa", "brisque_real": "eval_brisque"}


def main(argv: list[str] | None = None) -> int:
    return run_sections(__doc__, SECTIONS, "evaluate", argv)


if __name__ == "__main__":
    raise SystemExit(main())
