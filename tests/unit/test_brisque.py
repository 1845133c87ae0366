"""livecheck's BRISQUE model: loading (ours, explicit files, broken files), scoring, input handling."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from livecheck.models import ModelName, ModelUnavailable, load_model
from livecheck.models.brisque import MODEL_FILE, RANGE_FILE, BrisqueModel
from livecheck.models.brisque_features import FEATURE_COUNT, BrisqueFeatures, brisque_features

REPO = Path(__file__).resolve().parents[2]
KODAK = REPO / ".." / "shared" / "data" / "pristine" / "Kodak24"


def photo() -> np.ndarray:
    """A clean photo: a shared Kodak image when present, else a synthetic scene."""
    path = KODAK / "kodim23.png"
    if path.exists():
        return cv2.imread(str(path), cv2.IMREAD_COLOR)
    rng = np.random.default_rng(0)
    small = rng.normal(128, 45, (40, 60, 3)).clip(0, 255).astype(np.uint8)
    img = cv2.resize(small, (480, 320), interpolation=cv2.INTER_CUBIC)
    for i in range(8):
        cv2.rectangle(img, (20 + 50 * i, 30 + 20 * i), (60 + 50 * i, 90 + 20 * i),
                      (int(255 - 30 * i), 40 * i % 255, 90), -1)
    return img


def test_default_model_loads_through_load_model() -> None:
    model = load_model(ModelName.BRISQUE)
    assert model.info.name == "brisque"
    assert model.info.higher_is_better is False
    assert (model.info.lower, model.info.upper) == (0.0, 100.0)
    out = model.score(photo())
    assert set(out) == {"score"} and isinstance(out["score"], float)
    assert 0.0 <= out["score"] <= 100.0
    model.close()


@pytest.mark.parametrize("damage", [
    lambda img: cv2.GaussianBlur(img, (0, 0), 3.0),
    lambda img: np.clip(img + np.random.default_rng(1).normal(0, 20, img.shape), 0, 255).astype(np.uint8),
    lambda img: cv2.imdecode(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 6])[1], cv2.IMREAD_COLOR),
], ids=["blur", "noise", "jpeg"])
def test_own_model_scores_damage_worse_than_the_clean_photo(damage) -> None:
    if not (KODAK / "kodim23.png").exists():
        pytest.skip(f"../shared/data not found: {KODAK} (a synthetic scene is no clean photo)")
    model = BrisqueModel()
    clean = photo()
    assert model.score(damage(clean))["score"] > model.score(clean)["score"] + 5.0


def _spearman(a: list[float], b: list[float]) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


@pytest.mark.parametrize("kind", ["underexposure", "overexposure"])
def test_own_model_ranks_exposure_levels_on_held_out_photos(kind: str) -> None:
    """The LIVE model barely reacts to exposure (eval_iqa: SROCC ~0.5); ours must (~0.6-0.9)."""
    from livecheck.dev import distortions

    try:
        _, heldout = distortions.split_photos()
    except FileNotFoundError as exc:
        pytest.skip(f"../shared/data not found: {exc}")
    model = BrisqueModel()
    rho = []
    for path in heldout[:6]:
        ref = distortions.load_photo(path)
        levels = list(range(distortions.LEVELS + 1))
        scores = [model.score(distortions.distort(ref, kind, float(v), np.random.default_rng(0)))["score"]
                  for v in levels]
        rho.append(_spearman(scores, levels))
    assert np.mean(rho) > 0.5


def test_missing_files_give_one_line_model_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="not found") as info:
        BrisqueModel(weights_dir=tmp_path)
    assert "\n" not in str(info.value)


def test_corrupt_model_file(tmp_path: Path) -> None:
    shutil.copy(REPO / "models" / RANGE_FILE, tmp_path / RANGE_FILE)
    (tmp_path / MODEL_FILE).write_bytes(b"%YAML:1.0\n---\nopencv_ml_svm:\n   format: 3\n   svmTy")
    with pytest.raises(ModelUnavailable, match="brisque"):
        BrisqueModel(weights_dir=tmp_path)
    (tmp_path / MODEL_FILE).write_bytes(np.random.default_rng(0).bytes(4000))
    with pytest.raises(ModelUnavailable, match="brisque"):
        BrisqueModel(weights_dir=tmp_path)


def test_truncated_model_file(tmp_path: Path) -> None:
    shutil.copy(REPO / "models" / RANGE_FILE, tmp_path / RANGE_FILE)
    data = (REPO / "models" / MODEL_FILE).read_bytes()
    (tmp_path / MODEL_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelUnavailable, match="brisque"):
        BrisqueModel(weights_dir=tmp_path)


def test_range_file_without_a_2x36_matrix(tmp_path: Path) -> None:
    shutil.copy(REPO / "models" / MODEL_FILE, tmp_path / MODEL_FILE)
    storage = cv2.FileStorage(str(tmp_path / RANGE_FILE), cv2.FILE_STORAGE_WRITE)
    storage.write("range", np.zeros((2, 5), np.float32))
    storage.release()
    with pytest.raises(ModelUnavailable, match="2 x 36"):
        BrisqueModel(weights_dir=tmp_path)


def test_explicit_files_and_weights_dir_load_the_same_model(tmp_path: Path) -> None:
    for name in (MODEL_FILE, RANGE_FILE):
        shutil.copy(REPO / "models" / name, tmp_path / name)
    img = photo()
    a = BrisqueModel(weights_dir=tmp_path).score(img)
    b = BrisqueModel.from_files(tmp_path / MODEL_FILE, tmp_path / RANGE_FILE).score(img)
    assert a == b == BrisqueModel().score(img)


def test_feature_buffers_are_reused_correctly_across_frame_sizes() -> None:
    extract = BrisqueFeatures()
    a, b = photo(), cv2.resize(photo(), (301, 199))
    first = extract(a)
    extract(b)
    np.testing.assert_array_equal(extract(a), first)
    np.testing.assert_array_equal(extract(b), brisque_features(b))
    assert first.shape == (FEATURE_COUNT,) and first.dtype == np.float32


def test_concurrent_scores_are_consistent() -> None:
    model = BrisqueModel()
    images = [photo(), cv2.GaussianBlur(photo(), (0, 0), 2.0)]
    expected = [model.score(img)["score"] for img in images]
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        for _ in range(5):
            s = model.score(images[i])["score"]
            with lock:
                results.append((i, s))

    threads = [threading.Thread(target=work, args=(i % 2,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s == expected[i] for i, s in results) and len(results) == 20


def test_live_mode_shrinks_large_frames_only() -> None:
    big = cv2.resize(photo(), (1280, 720), interpolation=cv2.INTER_CUBIC)
    small = photo()[:200, :300]
    full, live = BrisqueModel(), BrisqueModel(max_side=640)
    np.testing.assert_array_equal(live.features(small), full.features(small))
    shrunk = cv2.resize(big, (640, 360), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(live.features(big), full.features(shrunk))
    with pytest.raises(ValueError, match="max_side"):
        BrisqueModel(max_side=4)


def test_non_contiguous_views_score_like_copies() -> None:
    model = BrisqueModel()
    img = photo()
    for view in (img[:, ::-1], img[::2, ::3], img[10:-10, 5:-7, 0]):
        assert model.score(view) == model.score(np.ascontiguousarray(view))


@pytest.mark.parametrize("bad", [
    np.zeros((10, 10, 2), np.uint8), np.zeros((4, 4, 4, 4), np.uint8), np.zeros(7, np.uint8),
])
def test_unsupported_shapes_are_rejected(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="grey, BGR or BGRA"):
        brisque_features(bad)


def test_too_small_images_are_rejected() -> None:
    with pytest.raises(ValueError, match="too small"):
        brisque_features(np.zeros((1, 50, 3), np.uint8))
    assert brisque_features(np.full((2, 2), 9, np.uint8)).shape == (FEATURE_COUNT,)


@pytest.mark.parametrize("shape", [(1, 1, 3), (1, 50, 3), (40, 1), (1, 1, 4)])
def test_the_model_scores_pictures_too_thin_for_features_as_featureless(shape: tuple[int, ...]) -> None:
    model = BrisqueModel()
    assert np.isnan(model.features(np.full(shape, 90, np.uint8))).all()
    assert model.score(np.full(shape, 90, np.uint8)) == {"score": 100.0}
