#!/usr/bin/python3
"""Writes pixel_golden.json: the per-pixel BCE plus soft Dice loss of
loss.Pixels, and its logit gradient, computed by PyTorch autograd.

Run with Debian's python3-torch: /usr/bin/python3 loss/testdata/pixel_gen.py
Tensors are [N, H, W, L]; BCE is the mean over known (mask = 1) elements;
Dice per label is 1 - (2 sum(p y) + 1) / (sum(p) + sum(y) + 1) over the
known pixels of the batch, averaged over the labels with a known pixel.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(11)
N, H, W, L = 2, 3, 4, 3


def case(name, dice, masked):
    x = (torch.randn(N, H, W, L, dtype=torch.float64) * 2).requires_grad_()
    y = (torch.rand(N, H, W, L, dtype=torch.float64) < 0.4).double()
    m = (torch.rand(N, H, W, L, dtype=torch.float64) < 0.8).double() if masked else torch.ones(N, H, W, L, dtype=torch.float64)
    if masked:
        m[..., 2] = 0  # a label with no known pixel
    bce = (F.binary_cross_entropy_with_logits(x, y, reduction="none") * m).sum() / m.sum()
    loss = bce
    if dice > 0:
        p = torch.sigmoid(x)
        terms = []
        for j in range(L):
            mj = m[..., j]
            if mj.sum() == 0:
                continue
            inter = (p[..., j] * y[..., j] * mj).sum()
            tot = (p[..., j] * mj).sum() + (y[..., j] * mj).sum()
            terms.append(1 - (2 * inter + 1) / (tot + 1))
        loss = loss + dice * torch.stack(terms).mean()
    loss.backward()
    return {
        "name": name, "dice": dice, "shape": [N, H, W, L],
        "logits": x.detach().flatten().tolist(), "targets": y.flatten().tolist(),
        "mask": m.flatten().tolist() if masked else None,
        "loss": loss.item(), "grad": x.grad.flatten().tolist(),
    }


cases = [case("bce", 0, False), case("bce+dice masked", 1.0, True), case("bce+half dice", 0.5, False)]
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pixel_golden.json")
with open(out, "w") as f:
    json.dump(cases, f)
