"""A verdict as text: one line per window and a summary line."""
from __future__ import annotations

import statistics

from livecheck.expect.judge import Verdict, WindowResult


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def window_line(result: WindowResult) -> str:
    """``PASS  4-7 blurry  coverage 100.0%  reaction 0.36 s  clear 0.52 s``, then why it failed."""
    parts = [
        "PASS" if result.passed else "FAIL",
        f"{result.window.name:<24}",
        f"coverage {percent(result.coverage):>6}",
        f"reaction {seconds(result.reaction_s):>7}",
    ]
    if result.window.hints:
        parts.append(f"clear {seconds(result.clear_s):>7}")
    if result.others:
        parts.append("also shown: " + "+".join(sorted(result.others)))
    line = "  ".join(parts)
    return line if result.failure is None else f"{line}  -- {result.failure}"


def summary_line(verdict: Verdict) -> str:
    """``expect: 4 of 5 windows passed, 1 failed (...)``, with the latencies' median and max."""
    n = len(verdict.results)
    line = (f"expect: {n - verdict.failures} of {n} windows passed, {verdict.failures} failed "
            f"(coverage >= {percent(verdict.settings.coverage)} after a {verdict.settings.grace:g} s grace)")
    for what, values in (("reaction", [r.reaction_s for r in verdict.results]),
                         ("clear", [r.clear_s for r in verdict.results])):
        measured = [v for v in values if v is not None]
        if measured:
            line += f"; {what} median {seconds(statistics.median(measured))}, max {seconds(max(measured))}"
    return line


def report_lines(verdict: Verdict) -> list[str]:
    return [window_line(r) for r in verdict.results] + [summary_line(verdict)]
