"""Camera source and spec parsing. No camera here: the errors are what can be tested."""
from __future__ import annotations

import glob
from pathlib import Path

import cv2
import pytest

from livecheck.capture import (
    CameraSource,
    ImageFolderSource,
    SourceError,
    StreamSource,
    VideoSource,
    make_source,
    open_capture,
)

pytestmark = pytest.mark.usefixtures("no_leftover_capture_threads")


@pytest.fixture
def opencv_must_not_open(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"cv2.VideoCapture{args} was called")

    monkeypatch.setattr(cv2, "VideoCapture", refuse)


@pytest.mark.parametrize("spec", [-1, "-1", " -3 "])
def test_negative_index_is_refused_before_opencv_sees_it(spec: object, opencv_must_not_open: None) -> None:
    with pytest.raises(SourceError, match="camera index must be 0 or more"):
        open_capture(spec)  # type: ignore[arg-type]


@pytest.mark.skipif(bool(glob.glob("/dev/video*")), reason="a camera device exists on this machine")
@pytest.mark.parametrize("spec", [0, "0"])
def test_no_camera_gives_a_helpful_error(spec: object) -> None:
    cap = open_capture(spec)  # type: ignore[arg-type]
    assert cap.live
    with pytest.raises(SourceError) as caught:
        cap.start()
    assert str(caught.value) == ("no camera at index 0 — try a clip or folder instead "
                                 "(`livecheck run --source FILE`, `livecheck replay FILE`), "
                                 "or run `livecheck` for the demo clip")
    cap.stop()


def test_spec_picks_the_source_kind(tmp_path: Path, opencv_must_not_open: None) -> None:
    clip = tmp_path / "clip.mkv"
    clip.write_bytes(b"x")
    photo = tmp_path / "photo.JPG"
    photo.write_bytes(b"x")
    assert isinstance(make_source(2), CameraSource) and make_source("12").index == 12  # type: ignore[attr-defined]
    assert isinstance(make_source("http://127.0.0.1:8080/video.mjpg"), StreamSource)
    assert isinstance(make_source("rtsp://cam/live"), StreamSource)
    assert isinstance(make_source(str(clip)), VideoSource)
    assert isinstance(make_source(clip.as_uri()), VideoSource)
    assert isinstance(make_source(str(photo)), ImageFolderSource)
    assert isinstance(make_source(str(tmp_path)), ImageFolderSource)
    assert isinstance(make_source(str(tmp_path / "*.JPG")), ImageFolderSource)
    with pytest.raises(SourceError, match="no such file"):
        make_source(str(tmp_path / "missing.mp4"))
    with pytest.raises(SourceError, match="not a source"):
        make_source(True)  # type: ignore[arg-type]
