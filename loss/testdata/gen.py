#!/usr/bin/python3
"""Writes golden.json: losses and logit gradients computed by PyTorch.

Run with Debian's python3-torch: /usr/bin/python3 loss/testdata/gen.py
The formulas follow torch.nn.functional.binary_cross_entropy_with_logits,
torchvision.ops.sigmoid_focal_loss and the reference AsymmetricLoss of
Ridnik et al. (2021), reduced as a mean over known (mask = 1) elements.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(7)
N, L = 4, 5


def masked_mean(l, mask):
    if mask is None:
        return l.mean()
    return (l * mask).sum() / mask.sum()


def bce(x, y, opts):
    pw = opts.get("pos_weight")
    pw = None if pw is None else torch.tensor(pw, dtype=torch.float64)
    return F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction="none")


def focal(x, y, opts):
    gamma, alpha = opts["gamma"], opts["alpha"]
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return loss


def asl(x, y, opts):
    gneg, gpos, clip, eps = opts["gamma_neg"], opts["gamma_pos"], opts["clip"], 1e-8
    xs_pos = torch.sigmoid(x)
    xs_neg = 1 - xs_pos
    if clip > 0:
        xs_neg = (xs_neg + clip).clamp(max=1)
    loss = y * torch.log(xs_pos.clamp(min=eps)) + (1 - y) * torch.log(xs_neg.clamp(min=eps))
    if gneg > 0 or gpos > 0:
        pt = xs_pos * y + xs_neg * (1 - y)
        gamma = gpos * y + gneg * (1 - y)
        loss = loss * torch.pow(1 - pt, gamma)
    return -loss


FUNCS = {"bce": bce, "focal": focal, "asl": asl}

CASES = [
    ("bce plain", "bce", {}, False),
    ("bce pos_weight mask", "bce", {"pos_weight": [1.0, 2.0, 0.5, 3.0, 1.5]}, True),
    ("focal default", "focal", {"gamma": 2.0, "alpha": 0.25}, False),
    ("focal gamma 1.5 mask", "focal", {"gamma": 1.5, "alpha": 0.6}, True),
    ("focal no alpha", "focal", {"gamma": 0.0, "alpha": -1.0}, True),
    ("asl default mask", "asl", {"gamma_neg": 4.0, "gamma_pos": 1.0, "clip": 0.05}, True),
    ("asl no clip", "asl", {"gamma_neg": 2.0, "gamma_pos": 0.0, "clip": 0.0}, False),
    ("asl big clip", "asl", {"gamma_neg": 3.0, "gamma_pos": 2.0, "clip": 0.3}, True),
    ("asl no focus", "asl", {"gamma_neg": 0.0, "gamma_pos": 0.0, "clip": 0.0}, True),
]

out = []
for name, kind, opts, masked in CASES:
    x32 = (torch.rand(N, L) * 12 - 6).float()
    y = (torch.rand(N, L) < 0.4).double()
    mask = (torch.rand(N, L) < 0.7).double() if masked else None
    x = x32.double().requires_grad_(True)
    loss = masked_mean(FUNCS[kind](x, y, opts), mask)
    loss.backward()
    out.append({
        "name": name,
        "loss_name": kind,
        "opts": opts,
        "shape": [N, L],
        "logits": x32.flatten().tolist(),
        "targets": y.flatten().tolist(),
        "mask": None if mask is None else mask.flatten().tolist(),
        "loss": loss.item(),
        "grad": x.grad.flatten().tolist(),
    })

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
with open(path, "w") as f:
    json.dump({"generator": "loss/testdata/gen.py", "torch": torch.__version__, "cases": out}, f, indent=1)
    f.write("\n")
