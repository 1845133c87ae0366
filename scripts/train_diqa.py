"""Train livecheck's DIQA model and export it to models/diqa.tflite (one command, CPU, < 1 hour).

    /work/venv-train/bin/python scripts/train_diqa.py            # full run
    /work/venv-train/bin/python scripts/train_diqa.py --smoke    # a few steps, seconds (tests)

After Kim et al. 2019 ("Deep CNN-based blind image quality predictor"), shrunk to run in a few ms:

* input: the 224 px model view (uint8 RGB); inside the model it becomes luma + chroma (JPEG's
  YCbCr), then four planes: the high-passed grey (grey minus a Gaussian low-pass, DIQA's
  "normalised" image), the low-pass itself (centred), which keeps the exposure that a pure
  high-pass would throw away, and the two chroma planes (where JPEG hurts most at this scale).
* stage 1: a 5-conv trunk learns the objective error map between the distorted view and its clean
  reference (sqrt of the 8x8-pooled absolute grey difference, at 1/8 resolution) -- no scores.
* stage 2: two more convs, global average pooling (plus five global exposure statistics of the
  grey input: mean, std, mean |high-pass|, clipped-white and clipped-black fractions) and two
  dense layers regress the quality target (distortions.quality_target: MS-SSIM x SSIM against the
  clean photo, a full-reference measure -- NOT human opinion). Loss: MSE to the target + a hinge
  ranking loss between views of the same photo and kind + 0.1 x the error-map loss.
* batch norm during training, folded into the convs for export.

Needs the ``train`` extra (torch) and litert-torch for the export.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from livecheck.dev import distortions, iqa_dataset

INPUT_SIZE = 224
ERROR_STRIDE = 8


def _gaussian_1d(sigma: float, radius: int) -> torch.Tensor:
    x = torch.arange(-radius, radius + 1, dtype=torch.float32)
    g = torch.exp(-(x**2) / (2 * sigma**2))
    return g / g.sum()


def _conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    """3x3 conv + batch norm + ReLU; :meth:`DiqaNet.fuse` folds the norm into the conv for export."""
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class DiqaNet(nn.Module):
    """uint8 RGB NHWC in; (score in [0, 1], error map [N, 1, S/8, S/8]) out."""

    N_STATS = 5

    def __init__(self) -> None:
        super().__init__()
        # RGB -> (luma, Cb, Cr) as in JPEG, one fixed 1x1 conv.
        self.register_buffer("ycc", torch.tensor([[0.299, 0.587, 0.114], [-0.1687, -0.3313, 0.5],
                                                  [0.5, -0.4187, -0.0813]]).view(3, 3, 1, 1), persistent=False)
        # A 9x9 Gaussian (sigma 2), applied as two 1-D passes: the same filter, 2.5x less run time.
        self.register_buffer("lowpass", _gaussian_1d(2.0, 4), persistent=False)
        self.trunk = nn.Sequential(
            _conv(4, 16, 2), _conv(16, 32, 2), _conv(32, 32), _conv(32, 64, 2), _conv(64, 64))
        self.error_head = nn.Conv2d(64, 1, 1)
        self.tail = nn.Sequential(_conv(64, 96, 2), _conv(96, 96))
        self.regressor = nn.Sequential(nn.Linear(96 + 64 + self.N_STATS, 64), nn.ReLU(inplace=True),
                                       nn.Linear(64, 1))

    def planes(self, rgb_u8: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(network input: high-pass and centred low-pass grey, chroma; global exposure statistics)."""
        x = rgb_u8.to(torch.float32).permute(0, 3, 1, 2) * (1.0 / 255.0)
        ycc = F.conv2d(x, self.ycc)
        grey = ycc[:, 0:1]
        low = F.pad(grey, (4, 4, 4, 4), mode="replicate")
        low = F.conv2d(F.conv2d(low, self.lowpass.view(1, 1, 1, 9)), self.lowpass.view(1, 1, 9, 1))
        high = grey - low
        mean = grey.mean(dim=(2, 3))
        std = torch.sqrt(((grey - mean[:, :, None, None]) ** 2).mean(dim=(2, 3)) + 1e-6)
        stats = torch.cat([mean, std * 2.0, high.abs().mean(dim=(2, 3)) * 10.0,
                           (grey > 0.97).to(torch.float32).mean(dim=(2, 3)),
                           (grey < 0.03).to(torch.float32).mean(dim=(2, 3))], dim=1)
        return torch.cat([high * 8.0, (low - 0.5) * 2.0, ycc[:, 1:3] * 4.0], dim=1), stats

    def forward_both(self, rgb_u8: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        planes, stats = self.planes(rgb_u8)
        feat = self.trunk(planes)
        error_map = self.error_head(feat)
        deep = self.tail(feat)
        pooled = torch.cat([deep.mean(dim=(2, 3)), feat.mean(dim=(2, 3)), stats], dim=1)
        score = torch.sigmoid(self.regressor(pooled))
        return score[:, 0], error_map

    def forward(self, rgb_u8: torch.Tensor) -> torch.Tensor:
        """What the .tflite computes: ``[N, 1]`` quality score, higher is better."""
        score, _ = self.forward_both(rgb_u8)
        return score[:, None]

    def fuse(self) -> "DiqaNet":
        """Fold every batch norm into its conv (eval mode), so the exported graph is plain convs."""
        from torch.nn.utils.fusion import fuse_conv_bn_eval

        self.eval()
        for block in [*self.trunk, *self.tail]:
            block[0] = fuse_conv_bn_eval(block[0], block[1])
            block[1] = nn.Identity()
        return self


class DiqaEnsemble(nn.Module):
    """Several DIQA nets trained on differently weighted data, their scores averaged (``[N, 1]``).

    Single runs rank most kinds alike but swing by up to 0.14 SROCC on one kind or another from run
    to run (motion blur, over-exposure, low contrast; see models/DIQA.md): the average of two runs
    keeps what they agree on and damps the swings."""

    def __init__(self, members: list[DiqaNet]) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, rgb_u8: torch.Tensor) -> torch.Tensor:
        return torch.stack([m(rgb_u8) for m in self.members]).mean(dim=0)

    def fuse(self) -> "DiqaEnsemble":
        for m in self.members:
            m.fuse()
        return self.eval()


ENSEMBLE_HARD_KINDS: tuple[tuple[str, ...], ...] = (
    ("noise_jpeg", "jpeg", "camera_noise", "motion_blur"),
    ("noise_jpeg", "jpeg", "camera_noise", "motion_blur", "overexposure"),
)

REPO = Path(__file__).resolve().parents[1]
"""The shipped model (``--ensemble``): one member per entry, each trained with a second, denser set
of views of these kinds (``--hard-kinds``)."""


def error_maps(views_rgb: np.ndarray, ref_grey: np.ndarray) -> np.ndarray:
    """Stage-1 target: sqrt of the 8x8 mean absolute grey difference to the reference, [N,1,S/8,S/8]."""
    w = np.array([0.299, 0.587, 0.114], np.float32)
    grey = (views_rgb.astype(np.float32) * w).sum(axis=3)
    diff = np.abs(grey - ref_grey.astype(np.float32)) / 255.0
    n, h, wd = diff.shape
    pooled = diff.reshape(n, h // ERROR_STRIDE, ERROR_STRIDE, wd // ERROR_STRIDE, ERROR_STRIDE).mean(axis=(2, 4))
    return np.sqrt(pooled)[:, None].astype(np.float32)


def _groups(ts: iqa_dataset.TrainSet, offset: int = 0) -> list[np.ndarray]:
    """Indices of the views of one photo and one kind (iqa_dataset builds them consecutively)."""
    starts = [0] + [i for i in range(1, len(ts)) if ts.kinds[i] != ts.kinds[i - 1]]
    return [np.arange(a, b) + offset for a, b in zip(starts, starts[1:] + [len(ts)], strict=True)]


def _concat(sets: list[iqa_dataset.TrainSet]) -> tuple[iqa_dataset.TrainSet, list[np.ndarray]]:
    """One training set from several, and the photo-and-kind groups of each part (never across)."""
    groups, offset = [], 0
    for ts in sets:
        groups += _groups(ts, offset)
        offset += len(ts)
    if len(sets) == 1:
        return sets[0], groups
    return iqa_dataset.TrainSet(*(np.concatenate([getattr(ts, f) for ts in sets])
                                  for f in ("views", "ref_grey", "targets", "levels", "kinds"))), groups


def rank_loss(score: torch.Tensor, level: torch.Tensor, target: torch.Tensor,
              group: torch.Tensor) -> torch.Tensor:
    """Hinge loss on pairs of one photo and kind: the less distorted view must score higher by at
    least half the target gap. This is what the evaluation (SROCC within photo and kind) rewards."""
    better = (group[:, None] == group[None, :]) & (level[:, None] < level[None, :])
    if not bool(better.any()):
        return score.sum() * 0.0
    margin = 0.5 * (target[:, None] - target[None, :]).clamp(min=0.0)
    gap = score[:, None] - score[None, :]
    return F.relu(margin - gap)[better].mean()


def train(sets: list[iqa_dataset.TrainSet], stage1_epochs: int, stage2_epochs: int, batch: int,
          seed: int, rank_weight: float = 1.0, max_steps: int | None = None) -> DiqaNet:
    """Both stages on the union of ``sets``; ranking pairs are drawn within each set's groups."""
    ts, groups = _concat(sets)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = DiqaNet()
    emaps = torch.from_numpy(error_maps(ts.views, ts.ref_grey))
    views = torch.from_numpy(ts.views)
    targets = torch.from_numpy(ts.targets)
    levels = torch.from_numpy(ts.levels)
    group_of = torch.from_numpy(np.concatenate([np.full(len(g), i) for i, g in enumerate(groups)]))
    per_batch = max(1, batch // 4)  # ~4 views per photo and kind

    def run_stage(epochs: int, params: list[nn.Parameter], lr: float, score_weight: float, name: str) -> None:
        opt = torch.optim.Adam(params, lr=lr, weight_decay=1e-5)
        steps_per_epoch = max(1, len(groups) // per_batch)
        total = max(1, epochs * steps_per_epoch)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=total, pct_start=0.15)
        step = 0
        net.train()
        for epoch in range(epochs):
            order = rng.permutation(len(groups))
            t0, losses = time.time(), []
            for b in range(steps_per_epoch):
                idx = torch.from_numpy(np.concatenate([groups[g] for g in order[b * per_batch:(b + 1) * per_batch]]))
                score, emap = net.forward_both(views[idx])
                loss = F.mse_loss(emap, emaps[idx])
                if score_weight:
                    loss = (0.1 * loss + score_weight * F.mse_loss(score, targets[idx])
                            + rank_weight * rank_loss(score, levels[idx], targets[idx], group_of[idx]))
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                losses.append(loss.item())
                step += 1
                if max_steps is not None and step >= max_steps:
                    return
            print(f"{name} epoch {epoch + 1}/{epochs}: loss {np.mean(losses):.5f} "
                  f"({time.time() - t0:.0f} s)", flush=True)

    stage1 = [*net.trunk.parameters(), *net.error_head.parameters()]
    run_stage(stage1_epochs, stage1, 3e-3, 0.0, "stage 1 (error map)")
    run_stage(stage2_epochs, list(net.parameters()), 2e-3, 1.0, "stage 2 (score)")
    return net.eval()


def export(net: nn.Module, path: Path) -> None:
    import litert_torch

    sample = (torch.zeros(1, INPUT_SIZE, INPUT_SIZE, 3, dtype=torch.uint8),)
    edge = litert_torch.convert(net.fuse() if isinstance(net, (DiqaNet, DiqaEnsemble)) else net.eval(), sample)
    path.parent.mkdir(parents=True, exist_ok=True)
    edge.export(str(path))


def _load_states(paths: list[Path]) -> nn.Module:
    nets = []
    for path in paths:
        net = DiqaNet()
        state = torch.load(path, map_location="cpu", weights_only=True)
        state.pop("lowpass", None)  # older states stored the (fixed) filter
        net.load_state_dict(state, strict=True)
        nets.append(net)
    return nets[0] if len(nets) == 1 else DiqaEnsemble(nets)


def _train_smoke(train_photos: list[Path], hard_kinds: tuple[str, ...], args: argparse.Namespace) -> DiqaNet:
    sets = [iqa_dataset.build(train_photos[:2], INPUT_SIZE, args.seed, 1, verbose=False)]
    if hard_kinds:
        sets.append(iqa_dataset.build(train_photos[:1], INPUT_SIZE, args.seed + 1, 2, verbose=False,
                                      kinds=hard_kinds))
    return train(sets, 1, 1, 8, args.seed, args.rank_weight, max_steps=2)


def _train_full(train_photos: list[Path], hard_kinds: tuple[str, ...], args: argparse.Namespace,
                state_name: str) -> DiqaNet:
    t0 = time.time()
    sets = [iqa_dataset.load_or_build(train_photos, INPUT_SIZE, args.seed, args.levels_per_kind)]
    if hard_kinds:
        sets.append(iqa_dataset.load_or_build(train_photos, INPUT_SIZE, args.seed + 1, args.hard_levels,
                                              kinds=hard_kinds))
    print(f"training set: {' + '.join(str(len(ts)) for ts in sets)} views "
          f"({time.time() - t0:.0f} s)", flush=True)
    net = train(sets, args.stage1_epochs, args.stage2_epochs, args.batch, args.seed, args.rank_weight)
    iqa_dataset.CACHE_DIR.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), iqa_dataset.CACHE_DIR / f"{state_name}_state.pt")
    return net


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "models" / "diqa.tflite")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--levels-per-kind", type=int, default=4)
    ap.add_argument("--hard-kinds", default="",
                    help="comma-separated kinds given a second set of views at --hard-levels random levels "
                         "per photo (another seed); default none. Tried: noise_jpeg,jpeg,camera_noise,"
                         "motion_blur[,overexposure] -- see 'Tried' in models/DIQA.md")
    ap.add_argument("--hard-levels", type=int, default=6, help="random levels per photo and kind in that set")
    ap.add_argument("--rank-weight", type=float, default=1.0, help="weight of the ranking loss in stage 2")
    ap.add_argument("--stage1-epochs", type=int, default=2)
    ap.add_argument("--stage2-epochs", type=int, default=14)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--smoke", action="store_true", help="a few steps on two photos, no cache")
    ap.add_argument("--ensemble", action="store_true",
                    help="train one member per ENSEMBLE_HARD_KINDS entry (each with those --hard-kinds) and "
                         "export their average: the shipped model")
    ap.add_argument("--from-state", type=Path, nargs="+",
                    help="export this saved state dict (several: their ensemble), no training")
    args = ap.parse_args(argv)
    hard_kinds = tuple(k for k in args.hard_kinds.split(",") if k)
    unknown = set(hard_kinds) - set(distortions.KINDS)
    if unknown:
        ap.error(f"unknown --hard-kinds {', '.join(sorted(unknown))}; known: {', '.join(distortions.KINDS)}")
    torch.set_num_threads(args.threads)
    t0 = time.time()
    train_photos, _ = distortions.split_photos()
    if args.from_state:
        net = _load_states(args.from_state)
    elif args.smoke:
        net = _train_smoke(train_photos, hard_kinds, args)
    elif args.ensemble:
        members = []
        for i, kinds in enumerate(ENSEMBLE_HARD_KINDS):
            print(f"member {i + 1}/{len(ENSEMBLE_HARD_KINDS)}: hard kinds {','.join(kinds)}", flush=True)
            members.append(_train_full(train_photos, kinds, args, f"{args.out.stem}_member{i + 1}"))
        net = DiqaEnsemble(members)
    else:
        net = _train_full(train_photos, hard_kinds, args, args.out.stem)
    export(net, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
