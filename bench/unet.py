"""A plain PyTorch U-Net, the reference of bench/segreal.sh.

The network has the shape of mlabel's default segmenter (arch/unet.go):
three encoder stages of two 3x3 convolutions with batch norm and ReLU at
widths 16, 32 and 64, each followed by 2x2 max pooling, a middle stage at
128, three decoder stages (nearest-neighbour upsampling, concatenation with
the encoder's skip, two 3x3 convolutions at 64, 32 and 16) and a 1x1
convolution giving one logit per pixel and label.

Training: each image's centre square resized to SIZE x SIZE (its mask by
nearest neighbour), BCE + soft Dice over the labelled pixels, AdamW
(learning rate 1e-2, weight decay 1e-2) with a one-cycle schedule, batch 8,
a random flip and quarter turn per image and epoch.

Scoring, at each held-out image's own resolution: the image is resized so
that its shorter side is SIZE (the scale the network trained at; the longer
side rounded to a multiple of 8), the network runs on it whole, its
probabilities are resized back to the image's size (bilinear), and every
labelled pixel of the mask counts at a pixel threshold of 0.5. The IoU of a
label pools its pixels over all images; mIoU is their mean.

    python3 unet.py --images DIR --masks DIR --train train.csv --test test.csv \\
        --size 128 --epochs 30 --seed 1

It prints one JSON object: per-label IoU, miou_macro, training seconds.
"""

import argparse
import csv
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def read_names(path):
    with open(path, newline="") as f:
        return [row["image_name"] for row in csv.DictReader(f)]


def read_legend(masks):
    with open(os.path.join(masks, "legend.txt")) as f:
        return [l.strip() for l in f if l.strip()]


def find_image(images, name):
    for ext in (".jpg", ".jpeg", ".png", ".tif", ".tiff"):
        p = os.path.join(images, name + ext)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(name)


def onehot(mask, labels):
    """[L, H, W] targets and known flags of an indexed mask (0 none,
    1..L a label, 255 unlabelled)."""
    y = np.zeros((labels,) + mask.shape, dtype=np.float32)
    for j in range(labels):
        y[j] = mask == j + 1
    known = np.broadcast_to((mask != 255)[None], y.shape).astype(np.float32)
    return y, known


def normalise(img):
    x = np.asarray(img, dtype=np.float32) / 255.0
    return ((x - MEAN) / STD).transpose(2, 0, 1)


def centre_square(img, mask, size):
    w, h = img.size
    s = min(w, h)
    box = ((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s)
    x = normalise(img.crop(box).resize((size, size), Image.BICUBIC))
    m = np.asarray(Image.fromarray(mask).crop(box).resize((size, size), Image.NEAREST))
    return x, m


def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    def __init__(self, labels, width=16, depth=3):
        super().__init__()
        self.enc = nn.ModuleList()
        cin = 3
        for i in range(depth):
            self.enc.append(block(cin, width << i))
            cin = width << i
        self.mid = block(cin, width << depth)
        self.dec = nn.ModuleList()
        cin = width << depth
        for i in reversed(range(depth)):
            self.dec.append(block(cin + (width << i), width << i))
            cin = width << i
        self.logits = nn.Conv2d(cin, labels, 1)

    def forward(self, x):
        skips = []
        for e in self.enc:
            x = e(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.mid(x)
        for d, s in zip(self.dec, reversed(skips)):
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = d(torch.cat([x, s], 1))
        return self.logits(x)


def loss_fn(logits, y, known):
    bce = (F.binary_cross_entropy_with_logits(logits, y, reduction="none") * known).sum() / known.sum().clamp(min=1)
    p = torch.sigmoid(logits) * known
    t = y * known
    inter = (p * t).sum(dim=(0, 2, 3))
    dice = 1 - (2 * inter + 1) / (p.sum(dim=(0, 2, 3)) + t.sum(dim=(0, 2, 3)) + 1)
    return bce + dice.mean()


def dihedral(a, k):
    """Transform k of an array whose last two axes are H, W."""
    if k >= 4:
        a = a[..., ::-1]
    return np.rot90(a, k & 3, axes=(-2, -1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", required=True)
    ap.add_argument("--masks", required=True)
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(a.seed)
    legend = read_legend(a.masks)
    nl = len(legend)

    xs, ms = [], []
    for n in read_names(a.train):
        img = Image.open(find_image(a.images, n)).convert("RGB")
        mask = np.asarray(Image.open(os.path.join(a.masks, n + ".png")))
        x, m = centre_square(img, mask, a.size)
        xs.append(x)
        ms.append(m)
    xs, ms = np.stack(xs), np.stack(ms)

    model = UNet(nl)
    steps = (len(xs) + a.batch - 1) // a.batch
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=a.epochs * steps)
    start = time.time()
    for _ in range(a.epochs):
        model.train()
        order = rng.permutation(len(xs))
        for s in range(steps):
            idx = order[s * a.batch:(s + 1) * a.batch]
            bx, by, bk = [], [], []
            for i in idx:
                k = int(rng.integers(8))
                y, known = onehot(ms[i], nl)
                bx.append(np.ascontiguousarray(dihedral(xs[i], k)))
                by.append(np.ascontiguousarray(dihedral(y, k)))
                bk.append(np.ascontiguousarray(dihedral(known, k)))
            logits = model(torch.from_numpy(np.stack(bx)))
            loss = loss_fn(logits, torch.from_numpy(np.stack(by)), torch.from_numpy(np.stack(bk)))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    train_s = time.time() - start

    model.eval()
    tp, fp, fn = np.zeros(nl), np.zeros(nl), np.zeros(nl)
    with torch.no_grad():
        for n in read_names(a.test):
            img = Image.open(find_image(a.images, n)).convert("RGB")
            mask = np.asarray(Image.open(os.path.join(a.masks, n + ".png")))
            w, h = img.size
            f = a.size / min(w, h)
            rw, rh = max(8, round(w * f / 8) * 8), max(8, round(h * f / 8) * 8)
            x = torch.from_numpy(normalise(img.resize((rw, rh), Image.BICUBIC))[None].copy())
            p = torch.sigmoid(model(x))
            p = F.interpolate(p, size=(h, w), mode="bilinear", align_corners=False)[0].numpy()
            known = mask != 255
            for j in range(nl):
                pred, pos = (p[j] > 0.5) & known, (mask == j + 1) & known
                tp[j] += (pred & pos).sum()
                fp[j] += (pred & ~pos).sum()
                fn[j] += (~pred & pos).sum()
    iou = {}
    for j, l in enumerate(legend):
        d = tp[j] + fp[j] + fn[j]
        iou[l] = None if d == 0 else float(tp[j] / d)
    defined = [v for v in iou.values() if v is not None]
    print(json.dumps({"iou": iou, "miou_macro": float(np.mean(defined)) if defined else None, "train_seconds": round(train_s, 1)}))


if __name__ == "__main__":
    main()
