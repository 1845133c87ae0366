"""Running the `livecheck` command in-process, as the end-to-end tests do."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from livecheck.cli import main

DEMO = Path(str(resources.files("livecheck.assets") / "demo.mp4"))


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict], str]:
    """``livecheck ARGV``: its exit code, its stdout as JSON lines, its stderr."""
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, [json.loads(line) for line in out.splitlines() if line.strip()], err
