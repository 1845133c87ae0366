"""`livecheck report`: the JSON lines of a replay or of a batch of scored photos as one HTML page.

:mod:`~livecheck.report.records` reads the lines back, :mod:`~livecheck.report.plots` draws them
(matplotlib, the optional ``report`` extra), :mod:`~livecheck.report.html` writes the page, and
:mod:`~livecheck.report.thumbs` makes the small JPEGs (``replay --thumbs``) that it shows.
"""
