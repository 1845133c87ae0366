"""Every benchmark, evaluation and training script starts against the current package (they are
scripts, not tests, so nothing else would notice a renamed function): each is run as a user runs
it, ``python scripts/NAME.py --help``, and the development modules they share are imported."""
from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import livecheck.dev
from livecheck.dev import REPO

SCRIPTS = sorted((REPO / "scripts").glob("*.py"))
NEEDS = {"train_nima": "torch", "train_diqa": "torch", "distortions_alt": "albumentations"}


def _available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@pytest.fixture(scope="module")
def helps() -> dict[str, subprocess.CompletedProcess[str]]:
    """Every script's ``--help``, started all at once (each is mostly interpreter start-up)."""
    procs = {p.stem: subprocess.Popen([sys.executable, str(p), "--help"], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
             for p in SCRIPTS if _available(NEEDS.get(p.stem, "livecheck"))}
    done = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


@pytest.mark.parametrize("name", [p.stem for p in SCRIPTS])
def test_script_starts(name: str, helps: dict[str, subprocess.CompletedProcess[str]]) -> None:
    if name not in helps:
        pytest.skip(f"{NEEDS[name]} not installed")
    run = helps[name]
    assert run.returncode == 0, run.stderr
    assert "usage:" in run.stdout


@pytest.mark.parametrize("name", [m.name for m in pkgutil.iter_modules(livecheck.dev.__path__)])
def test_development_module_imports(name: str) -> None:
    if name in NEEDS and not _available(NEEDS[name]):
        pytest.skip(f"{NEEDS[name]} not installed")
    importlib.import_module(f"livecheck.dev.{name}")
