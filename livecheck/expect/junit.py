"""A verdict as JUnit XML, the test-report format Jenkins, GitLab and GitHub (through the usual
actions) read: one ``<testcase>`` per window, a ``<failure>`` in each window that failed.

Written with the standard library: the format needs a handful of elements, and the one library for
it on PyPI (junit-xml) has had no release since 2020. A testcase's ``time`` is the window's length
in seconds of the clip, so a CI page's durations read as the timeline does.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from livecheck.expect.judge import Verdict, WindowResult
from livecheck.expect.report import percent, seconds


def junit_tree(verdict: Verdict, suite: str) -> ET.ElementTree:
    """``<testsuites><testsuite name=suite ...><testcase .../>...</testsuite></testsuites>``."""
    counts = {"tests": str(len(verdict.results)), "failures": str(verdict.failures),
              "errors": "0", "skipped": "0",
              "time": _num(sum(r.window.end - r.window.start for r in verdict.results))}
    root = ET.Element("testsuites", {"name": "livecheck expect", **counts})
    testsuite = ET.SubElement(root, "testsuite", {"name": suite, **counts})
    properties = ET.SubElement(testsuite, "properties")
    for name, value in (("coverage", verdict.settings.coverage), ("grace_s", verdict.settings.grace),
                        ("clip_end_s", verdict.clip_end)):
        ET.SubElement(properties, "property", {"name": name, "value": _num(value)})
    for result in verdict.results:
        _testcase(testsuite, result, suite)
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(path: Path, verdict: Verdict, suite: str) -> None:
    junit_tree(verdict, suite).write(path, encoding="utf-8", xml_declaration=True)


def _testcase(parent: ET.Element, result: WindowResult, suite: str) -> None:
    window = result.window
    case = ET.SubElement(parent, "testcase", {"classname": suite, "name": window.name,
                                              "time": _num(window.end - window.start)})
    measured = (f"coverage {percent(result.coverage)}, reaction {seconds(result.reaction_s)}"
                + (f", clear {seconds(result.clear_s)}" if window.hints else "")
                + (f", also shown: {'+'.join(sorted(result.others))}" if result.others else ""))
    if result.failure is not None:
        failure = ET.SubElement(case, "failure", {"message": result.failure, "type": "ExpectationFailed"})
        failure.text = (f"window {window.name} (timeline line {window.line}): {result.failure}\n"
                        f"measured: {measured}")
    ET.SubElement(case, "system-out").text = measured


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")
