#!/usr/bin/python3
"""Reference side and scorer of bench/quality.sh.

  split  --csv tags.csv --seed S --holdout F --out DIR
         writes DIR/train.csv and DIR/holdout.csv, a seeded random split.
  chips  --data DIR --out DIR [--size 256] [--min-area 0.02]
         cuts a folder of images with indexed masks (images/, masks/ and
         masks/legend.txt, value k the legend's k-th line, 255 unlabelled)
         into non-overlapping size×size chips at full resolution, each
         tagged with the classes covering at least min-area of its labelled
         pixels (chips less than half labelled are left out), and writes
         them to DIR/images with DIR/train.csv (images whose names start
         with a tile other than --holdout-tile) and DIR/holdout.csv
         (that tile): image-level tags of real aerial chips, split by tile.
  torch  --train train.csv --holdout holdout.csv --images DIR --out scores.csv
         trains the plain PyTorch recipe (the same `small` network as
         mlabel's arch package, AdamW with a one-cycle schedule, horizontal
         flips only, every training image, the last epoch kept) and writes its
         probabilities on the holdout images (image,<label>...).
  score  --truth holdout.csv --mlabel scores.csv --mlabel-tags decided.csv
         --torch scores.csv
         prints macro and micro mAP, samples-F2 and per-label AP side by
         side; mlabel's F2 uses
         its own fitted thresholds (its Planet-style `predict --format csv`
         output), the reference's F2 a 0.5 threshold, as the recipe has no
         threshold fitting.

  summary ROWS.jsonl
         prints, per dataset, the mean, standard deviation and range over
         the seeds of the rows that bench/quality.sh collected (one JSON
         object per line: data, seed and the score's fields), and each
         label's AP averaged over the seeds, rarest first.

Metrics come from scikit-learn (average_precision_score per label with at
least one positive, macro mean; the micro mAP pools every decision over
those labels; fbeta_score with average="samples").
"""
import argparse
import csv
import json
import os
import random
import sys

import numpy as np


def read_tags(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if rows and rows[0][0] in ("image_name", "image"):
        rows = rows[1:]
    return [(r[0], r[1].split()) for r in rows if r]


def write_tags(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image_name", "tags"])
        for name, tags in rows:
            w.writerow([name, " ".join(tags)])


def stem(name):
    return os.path.splitext(os.path.basename(name))[0]


def find_image(images, name):
    for ext in ("", ".jpg", ".jpeg", ".png", ".tif", ".tiff"):
        p = os.path.join(images, name + ext)
        if os.path.isfile(p):
            return p
    raise FileNotFoundError(name)


def cmd_split(a):
    rows = read_tags(a.csv)
    rng = random.Random(a.seed)
    rng.shuffle(rows)
    n = int(round(len(rows) * a.holdout))
    os.makedirs(a.out, exist_ok=True)
    write_tags(os.path.join(a.out, "holdout.csv"), sorted(rows[:n]))
    write_tags(os.path.join(a.out, "train.csv"), sorted(rows[n:]))


def cmd_chips(a):
    from PIL import Image

    with open(os.path.join(a.data, "masks", "legend.txt")) as f:
        legend = [l.strip() for l in f if l.strip()]
    out = os.path.join(a.out, "images")
    os.makedirs(out, exist_ok=True)
    train, hold = [], []
    for f in sorted(os.listdir(os.path.join(a.data, "images"))):
        name = stem(f)
        im = Image.open(os.path.join(a.data, "images", f)).convert("RGB")
        m = np.asarray(Image.open(os.path.join(a.data, "masks", name + ".png")))
        if m.shape != (im.size[1], im.size[0]):
            sys.exit("chips: %s: mask %s, image %s" % (name, m.shape, im.size))
        for y in range(0, m.shape[0] - a.size + 1, a.size):
            for x in range(0, m.shape[1] - a.size + 1, a.size):
                c = m[y:y + a.size, x:x + a.size]
                lab = c[c != 255]
                if lab.size < c.size / 2:
                    continue
                tags = [l for k, l in enumerate(legend, 1) if (lab == k).mean() >= a.min_area]
                chip = "%s_y%04d_x%04d" % (name, y, x)
                im.crop((x, y, x + a.size, y + a.size)).save(os.path.join(out, chip + ".png"))
                (hold if name.startswith(a.holdout_tile + "_") else train).append((chip, tags))
    write_tags(os.path.join(a.out, "train.csv"), train)
    write_tags(os.path.join(a.out, "holdout.csv"), hold)


def load_images(images, names, size):
    from PIL import Image

    out = np.zeros((len(names), 3, size, size), dtype=np.float32)
    mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)[:, None, None]
    std = np.array([0.229, 0.224, 0.225], dtype=np.float32)[:, None, None]
    for i, n in enumerate(names):
        im = Image.open(find_image(images, n)).convert("RGB")
        w, h = im.size
        s = min(w, h)
        im = im.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s))
        im = im.resize((size, size), Image.BICUBIC)
        out[i] = (np.asarray(im, dtype=np.float32).transpose(2, 0, 1) / 255 - mean) / std
    return out


def cmd_torch(a):
    import torch
    import torch.nn.functional as F

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nn", "testdata"))
    from gen_models import Small  # the same graph as arch.Small

    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(a.seed)
    train = read_tags(a.train)
    hold = read_tags(a.holdout)
    labels = sorted({t for _, tags in train for t in tags})
    x = torch.from_numpy(load_images(a.images, [n for n, _ in train], a.size))
    y = torch.zeros(len(train), len(labels))
    for i, (_, tags) in enumerate(train):
        for t in tags:
            y[i, labels.index(t)] = 1
    model = Small(32, len(labels))
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.wd)
    steps = (len(train) // a.batch) * a.epochs
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps)
    model.train()
    for _ in range(a.epochs):
        perm = torch.randperm(len(train))
        for s in range(len(train) // a.batch):
            idx = perm[s * a.batch:(s + 1) * a.batch]
            xb = x[idx].clone()
            flip = torch.rand(len(idx)) < 0.5
            xb[flip] = xb[flip].flip(3)
            opt.zero_grad()
            F.binary_cross_entropy_with_logits(model(xb), y[idx]).backward()
            opt.step()
            sched.step()
    model.eval()
    xh = torch.from_numpy(load_images(a.holdout_images or a.images, [n for n, _ in hold], a.size))
    with torch.inference_mode():
        p = torch.sigmoid(torch.cat([model(xh[i:i + 256]) for i in range(0, len(xh), 256)])).numpy()
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image"] + labels)
        for (n, _), row in zip(hold, p):
            w.writerow([n] + ["%.6f" % v for v in row])


def read_scores(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    labels = rows[0][1:]
    return labels, {stem(r[0]): [float(v) for v in r[1:]] for r in rows[1:]}


def cmd_score(a):
    from sklearn.metrics import average_precision_score, fbeta_score

    truth = read_tags(a.truth)
    names = [stem(n) for n, _ in truth]
    mlabels, ms = read_scores(a.mlabel)
    tlabels, ts = read_scores(a.torch)
    labels = sorted(set(mlabels) | set(tlabels))
    Y = np.array([[t in tags for t in labels] for _, tags in truth], dtype=int)

    def matrix(lab, s):
        return np.array([[s[n][lab.index(l)] if l in lab else 0.0 for l in labels] for n in names])

    M, T = matrix(mlabels, ms), matrix(tlabels, ts)
    dec = {stem(n): set(tags) for n, tags in read_tags(a.mlabel_tags)}
    Md = np.array([[l in dec[n] for l in labels] for n in names], dtype=int)
    has = Y.sum(0) > 0
    ap_m = [average_precision_score(Y[:, j], M[:, j]) if has[j] else float("nan") for j in range(len(labels))]
    ap_t = [average_precision_score(Y[:, j], T[:, j]) if has[j] else float("nan") for j in range(len(labels))]
    res = {
        "images": len(names),
        "mlabel_map": float(np.nanmean(ap_m)),
        "torch_map": float(np.nanmean(ap_t)),
        "mlabel_map_micro": float(average_precision_score(Y[:, has], M[:, has], average="micro")),
        "torch_map_micro": float(average_precision_score(Y[:, has], T[:, has], average="micro")),
        "mlabel_f2": float(fbeta_score(Y, Md, beta=2, average="samples", zero_division=0)),
        "mlabel_f2_at_05": float(fbeta_score(Y, (M >= 0.5).astype(int), beta=2, average="samples", zero_division=0)),
        "torch_f2_at_05": float(fbeta_score(Y, (T >= 0.5).astype(int), beta=2, average="samples", zero_division=0)),
        "per_label": {l: [round(ap_m[j], 4), round(ap_t[j], 4), int(Y[:, j].sum())] for j, l in enumerate(labels)},
    }
    if a.json:
        print(json.dumps(res))
        return
    print("holdout images %d" % res["images"])
    print("%-22s %8s %8s %8s" % ("", "mlabel", "PyTorch", "diff"))
    print("%-22s %8.4f %8.4f %+8.4f" % ("mAP", res["mlabel_map"], res["torch_map"], res["mlabel_map"] - res["torch_map"]))
    print("%-22s %8.4f %8.4f %+8.4f" % ("micro mAP", res["mlabel_map_micro"], res["torch_map_micro"],
                                        res["mlabel_map_micro"] - res["torch_map_micro"]))
    print("%-22s %8.4f %8.4f %+8.4f" % ("samples-F2 (mlabel thr / 0.5)", res["mlabel_f2"], res["torch_f2_at_05"],
                                        res["mlabel_f2"] - res["torch_f2_at_05"]))
    print("%-22s %8.4f %8.4f" % ("samples-F2 at 0.5", res["mlabel_f2_at_05"], res["torch_f2_at_05"]))
    print("per-label AP (positives):")
    for l, (m, t, n) in res["per_label"].items():
        print("  %-20s %8.4f %8.4f %+8.4f  (%d)" % (l, m, t, m - t, n))


# The columns of the summary: a name, a row field, the field subtracted
# from it (a difference) or None, and the digits shown.
SUMMARY = [
    ("mAP", "mlabel_map", None, 4),
    ("pt_mAP", "torch_map", None, 4),
    ("mAP_diff", "mlabel_map", "torch_map", 4),
    ("micro", "mlabel_map_micro", None, 4),
    ("pt_micro", "torch_map_micro", None, 4),
    ("micro_diff", "mlabel_map_micro", "torch_map_micro", 4),
    ("F2", "mlabel_f2", None, 4),
    ("pt_F2@0.5", "torch_f2_at_05", None, 4),
    ("F2_diff", "mlabel_f2", "torch_f2_at_05", 4),
    ("bud_mAP", "budget_map", None, 4),
    ("bud_diff", "budget_map", "torch_map", 4),
    ("bud_micro", "budget_map_micro", None, 4),
    ("bud_F2", "budget_f2", None, 4),
    ("bud_F2diff", "budget_f2", "torch_f2_at_05", 4),
    ("tta_mAP", "tta_map", None, 4),
    ("tta_F2", "tta_f2", None, 4),
    ("mlabel_s", "mlabel_seconds", None, 1),
    ("pt_s", "torch_seconds", None, 1),
    ("bud_s", "budget_seconds", None, 1),
]


def cmd_summary(a):
    rows = [json.loads(line) for line in open(a.rows) if line.strip()]
    if not rows:
        sys.exit("summary: no rows in %s" % a.rows)
    cols = [c for c in SUMMARY if all(c[1] in r and (c[2] is None or c[2] in r) for r in rows)]

    def val(r, c):
        return r[c[1]] - (r[c[2]] if c[2] else 0)

    def fmt(c, v):
        return ("%+.*f" if c[2] else "%.*f") % (c[3], v)

    print("%-7s %4s | %s" % ("data", "seed", " ".join("%10s" % c[0] for c in cols)))
    for r in rows:
        print("%-7s %4s | %s" % (r["data"], r["seed"], " ".join("%10s" % fmt(c, val(r, c)) for c in cols)))
    print()
    print("mean ± standard deviation (min to max) over the seeds:")
    for d in dict.fromkeys(r["data"] for r in rows):
        rs = [r for r in rows if r["data"] == d]
        print("%s, %d seeds:" % (d, len(rs)))
        for c in cols:
            v = np.array([val(r, c) for r in rs])
            sd = v.std(ddof=1) if len(v) > 1 else 0.0
            print("  %-10s %8s ± %.*f (%s to %s)" % (c[0], fmt(c, v.mean()), c[3], sd, fmt(c, v.min()), fmt(c, v.max())))
        per = [r["per_label"] for r in rs if "per_label" in r]
        if per:
            print("  per-label AP, mean over the seeds where the label has a positive (mlabel, PyTorch, positives):")
            for l in sorted({l for p in per for l in p}, key=lambda l: sum(p.get(l, [0, 0, 0])[2] for p in per)):
                v = np.array([p[l] for p in per if l in p and p[l][2] > 0], dtype=float)
                if len(v):
                    print("    %-20s %.4f %.4f %+.4f  (%d in %d seeds)" % (l, v[:, 0].mean(), v[:, 1].mean(),
                                                                        v[:, 0].mean() - v[:, 1].mean(), v[:, 2].sum(), len(v)))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("split")
    s.add_argument("--csv", required=True)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--holdout", type=float, default=0.25)
    s.add_argument("--out", required=True)
    ch = sub.add_parser("chips")
    ch.add_argument("--data", required=True)
    ch.add_argument("--out", required=True)
    ch.add_argument("--size", type=int, default=256)
    ch.add_argument("--min-area", type=float, default=0.02)
    ch.add_argument("--holdout-tile", default="tile5")
    t = sub.add_parser("torch")
    t.add_argument("--train", required=True)
    t.add_argument("--holdout", required=True)
    t.add_argument("--images", required=True)
    t.add_argument("--holdout-images", help="folder of the holdout images (default: --images)")
    t.add_argument("--out", required=True)
    t.add_argument("--epochs", type=int, default=15)
    t.add_argument("--size", type=int, default=64)
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=3e-3)
    t.add_argument("--wd", type=float, default=1e-2)
    t.add_argument("--seed", type=int, default=1)
    c = sub.add_parser("score")
    c.add_argument("--truth", required=True)
    c.add_argument("--mlabel", required=True)
    c.add_argument("--mlabel-tags", required=True)
    c.add_argument("--torch", required=True)
    c.add_argument("--json", action="store_true")
    m = sub.add_parser("summary")
    m.add_argument("rows")
    a = ap.parse_args()
    {"split": cmd_split, "chips": cmd_chips, "torch": cmd_torch, "score": cmd_score, "summary": cmd_summary}[a.cmd](a)


if __name__ == "__main__":
    main()
