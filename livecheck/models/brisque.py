"""BRISQUE no-reference quality: fast features (brisque_features.py) + an epsilon-SVR, lower is better.

The scorer reads libsvm-style models the way OpenCV contrib's ``QualityBRISQUE`` does: an
``opencv_ml_svm`` YAML for ``cv2.ml.SVM_load`` (EPS_SVR, RBF kernel) and a range file holding the
2 x 36 per-feature minimum and maximum used to scale features to [-1, 1]. So the same code scores
with livecheck's own model (models/brisque_model.yml, trained on synthetic camera distortions, see
models/BRISQUE.md) or with OpenCV's LIVE model (``BrisqueModel.from_files(...)`` on
/usr/share/opencv4/quality/brisque_{model,range}_live.yml from Debian's opencv-data), and with the
LIVE files its score equals ``cv2.quality.QualityBRISQUE_compute`` at about a quarter of the time.
"""
from __future__ import annotations

import importlib.resources
import threading
from pathlib import Path

import cv2
import numpy as np

from livecheck.models import MODEL_SPECS, ModelName
from livecheck.models.base import ModelUnavailable
from livecheck.models.brisque_features import FEATURE_COUNT, MIN_SIDE, BrisqueFeatures

MODEL_FILE = "brisque_model.yml"
RANGE_FILE = "brisque_range.yml"
OPENCV_LIVE_DIR = Path("/usr/share/opencv4/quality")
OPENCV_LIVE_MODEL = OPENCV_LIVE_DIR / "brisque_model_live.yml"
OPENCV_LIVE_RANGE = OPENCV_LIVE_DIR / "brisque_range_live.yml"
SCORE_LOWER, SCORE_UPPER = MODEL_SPECS[ModelName.BRISQUE].metric.lower, MODEL_SPECS[ModelName.BRISQUE].metric.upper


def _load_svr(path: Path) -> cv2.ml.SVM:
    if not path.is_file():
        raise ModelUnavailable(f"brisque: model file {path} not found")
    try:
        svm = cv2.ml.SVM_load(str(path))
    except cv2.error as exc:
        raise ModelUnavailable(f"brisque: {path} is not an OpenCV SVM model (corrupt or truncated)") from exc
    if not svm.isTrained() or svm.getVarCount() != FEATURE_COUNT or svm.getType() != cv2.ml.SVM_EPS_SVR:
        raise ModelUnavailable(f"brisque: {path} is not a trained {FEATURE_COUNT}-feature epsilon-SVR")
    return svm


def _load_range(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(minimum, maximum) per feature, float32, from a FileStorage file with a 2 x 36 ``range``."""
    if not path.is_file():
        raise ModelUnavailable(f"brisque: range file {path} not found")
    try:
        storage = cv2.FileStorage(str(path), cv2.FILE_STORAGE_READ)
        node = storage.getNode("range")
        table = None if node.empty() else node.mat()
        storage.release()
    except cv2.error as exc:
        raise ModelUnavailable(f"brisque: {path} is not an OpenCV FileStorage file (corrupt)") from exc
    if table is None or table.shape != (2, FEATURE_COUNT):
        raise ModelUnavailable(f"brisque: {path} has no 2 x {FEATURE_COUNT} 'range' matrix")
    low, high = table.astype(np.float32)
    if not np.all(high > low):
        raise ModelUnavailable(f"brisque: {path} has an empty range for some feature")
    return low, high


class BrisqueModel:
    """``score(bgr) -> {"score": ~0..100}``; LOWER is better. Thread-safe (one call at a time).

    ``max_side`` (default None: the full frame, matching OpenCV) shrinks larger frames with
    INTER_AREA so their long side is at most that many pixels before the features. The score is
    then not OpenCV's any more, but closer to the ~500 px photos our model was trained on, and 4x
    cheaper per halving of the side. ``load_model`` uses ``ANALYSIS_SIDE`` unless asked for the
    full resolution, so a 12-MP photo costs about what a 0.2-MP one does.
    """

    ANALYSIS_SIDE = 768
    """The long side ``load_model`` shrinks frames to: that of the largest training photos
    (Kodak's 768x512; CBSD68 and McMaster are smaller), so the SVR sees the scale its statistics
    were learned at, and the held-out evaluations (scripts/eval_iqa.py, eval_brisque.py) score
    exactly as at full resolution. 512 px would cost a third less and rank real photos a little
    better but the synthetic distortions a little worse."""

    info = MODEL_SPECS[ModelName.BRISQUE].metric

    def __init__(self, weights_dir: Path | None = None, *, max_side: int | None = None) -> None:
        if weights_dir is not None:
            self._init(Path(weights_dir) / MODEL_FILE, Path(weights_dir) / RANGE_FILE, max_side)
            return
        package = importlib.resources.files("livecheck.weights")
        with importlib.resources.as_file(package / MODEL_FILE) as model_path, \
                importlib.resources.as_file(package / RANGE_FILE) as range_path:
            self._init(Path(model_path), Path(range_path), max_side)

    @classmethod
    def from_files(cls, model_path: Path, range_path: Path, *, max_side: int | None = None) -> BrisqueModel:
        """A scorer with an explicit model/range pair, e.g. OpenCV's LIVE files."""
        model = cls.__new__(cls)
        model._init(Path(model_path), Path(range_path), max_side)
        return model

    @classmethod
    def opencv_live(cls) -> BrisqueModel:
        """OpenCV's LIVE model (Debian/Ubuntu package opencv-data); ModelUnavailable if absent."""
        return cls.from_files(OPENCV_LIVE_MODEL, OPENCV_LIVE_RANGE)

    def _init(self, model_path: Path, range_path: Path, max_side: int | None) -> None:
        if max_side is not None and max_side < 16:
            raise ValueError(f"max_side must be at least 16 px, got {max_side}")
        self._svr = _load_svr(model_path)
        self._low, self._high = _load_range(range_path)
        self._max_side = max_side
        self._features = BrisqueFeatures()
        self._lock = threading.Lock()

    @property
    def input(self) -> str:
        """What the features are computed on, for reports (``score``'s model entries)."""
        return "full resolution" if self._max_side is None else f"long side at most {self._max_side} px"

    def features(self, image: np.ndarray) -> np.ndarray:
        """The 36 BRISQUE features of a grey, BGR or BGRA uint8 image (after ``max_side``).

        A picture thinner than the two pixels the half scale needs (a 1x1 icon, a 1-px line)
        has no 2-D structure to measure: its features are NaN, as a flat frame's are, so it
        scores the worst instead of failing.
        """
        if image.ndim >= 2 and min(image.shape[:2]) < MIN_SIDE:
            return np.full(FEATURE_COUNT, np.nan, np.float32)
        if self._max_side is not None:
            image = _shrink(image, self._max_side)
        with self._lock:
            return self._features(image)

    def predict(self, features: np.ndarray) -> float:
        """Score of a 36-feature vector: scaled to [-1, 1] by the range file (in float32, as OpenCV
        does), SVR, clamped to [0, 100]. Non-finite features (a featureless, flat frame: OpenCV
        returns NaN) score the worst, 100."""
        f = np.asarray(features, np.float32).reshape(1, FEATURE_COUNT)
        if not np.all(np.isfinite(f)):
            return SCORE_UPPER
        scaled = np.float32(-1.0) + np.float32(2.0) * (f - self._low) / (self._high - self._low)
        raw = float(self._svr.predict(scaled)[1][0, 0])
        return float(min(max(raw, SCORE_LOWER), SCORE_UPPER))

    def score(self, bgr: np.ndarray) -> dict[str, float]:
        return {"score": self.predict(self.features(bgr))}

    def close(self) -> None:
        """Nothing to release (the SVR is plain memory); present for the QualityModel protocol."""


def _shrink(image: np.ndarray, max_side: int) -> np.ndarray:
    """INTER_AREA to ``max_side``, by exact halvings first while the frame is twice too big:
    OpenCV's area resize has a fast path for a factor of exactly 2 and a slow general one, so a
    12-MP photo shrinks in less than half the time, to within rounding of the one-step result."""
    h, w = image.shape[:2]
    while max(h, w) >= 2 * max_side:
        h, w = h // 2, w // 2
        image = cv2.resize(image[:2 * h, :2 * w], (w, h), interpolation=cv2.INTER_AREA)
    if max(h, w) <= max_side:
        return image
    f = max_side / max(h, w)
    size = (max(2, round(w * f)), max(2, round(h * f)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)
