"""Expected-hint timelines: parse one (:mod:`.timeline`), judge a run's records against it
(:mod:`.judge`), and report the verdict as text (:mod:`.report`) or JUnit XML (:mod:`.junit`)."""
from __future__ import annotations

from livecheck.expect.judge import ExpectSettings, Sample, Verdict, WindowResult, judge, samples_from_jsonl
from livecheck.expect.junit import junit_tree, write_junit
from livecheck.expect.report import report_lines
from livecheck.expect.timeline import TimelineError, Window, load_timeline, parse_timeline

__all__ = ["ExpectSettings", "Sample", "TimelineError", "Verdict", "Window", "WindowResult", "judge",
           "junit_tree", "load_timeline", "parse_timeline", "report_lines", "samples_from_jsonl",
           "write_junit"]
