"""Development code shared by the scripts and the tests: the distortion generators (the project's
own, and an albumentations-based one for evaluation only), the IQA training sets, the
viewing-scale test set, and the section runner of ``scripts/bench.py`` / ``scripts/evaluate.py``.

Nothing in the runtime imports this package; its optional dependencies (torch, albumentations,
scipy) are imported only by the modules that need them, and come with the extras.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
"""The checkout this package lives in (development code runs from an editable install)."""


def shared_root() -> Path:
    """``$LIVECHECK_SHARED``, or ``../shared`` beside the checkout: the data for training and tests."""
    env = os.environ.get("LIVECHECK_SHARED")
    return Path(env) if env else REPO / ".." / "shared"


def load_script(name: str) -> ModuleType:
    """``scripts/NAME.py`` as a module, for the tests that call a script's functions (scripts are
    files to run, not a package; this imports one by its path, once)."""
    module_name = f"livecheck_script_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, REPO / "scripts" / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"no script {name!r} in {REPO / 'scripts'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while the body runs
    spec.loader.exec_module(module)
    return module
