"""Running the `livecheck` command in-process, as the end-to-end tests do."""
from __future__ import annotations

import json
import subprocess
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


def read_to_exit(proc: subprocess.Popen[str], timeout: float = 10.0) -> tuple[str, str]:
    """What a process started with text pipes still prints on stdout and stderr, until it exits.

    For a test that has already read lines from ``proc.stdout``: ``communicate()`` would read the
    pipe past what ``readline()`` had buffered, and its output would start in the middle of a line.
    """
    assert proc.stdout is not None and proc.stderr is not None
    rest = proc.stdout.read()
    err = proc.stderr.read()
    proc.wait(timeout=timeout)
    return rest, err
