"""Every benchmark and evaluation script at least imports against the current package (they are
scripts, not tests, so nothing else would notice a renamed function)."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
NEEDS_TORCH = {"train_nima", "train_diqa"}
NEEDS_ALBUMENTATIONS = {"distortions_alt"}  # the evaluation-only second generator


@pytest.mark.parametrize("name", sorted(p.stem for p in SCRIPTS.glob("*.py") if p.stem not in NEEDS_TORCH))
def test_script_imports(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if name in NEEDS_ALBUMENTATIONS:
        pytest.importorskip("albumentations", reason="albumentations not installed")
    monkeypatch.syspath_prepend(str(SCRIPTS))
    module = importlib.import_module(name)
    assert callable(getattr(module, "main", None)) or name in {"sections", "distortions", "distortions_alt", "iqa_dataset"}
    sys.modules.pop(name, None)
