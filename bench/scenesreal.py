"""Scores the routes of bench/scenesreal.sh with scikit-learn.

    python3 bench/scenesreal.py WORK

WORK holds what the script made: split/{train,test}.csv (the chips),
train/tags.csv and test/tags.csv (the scenes), test/tiles.csv (each test
scene's chip at each place), timings.tsv (name, seconds, MiB) and each
route's `predict --json` output, NAME.json. Prints two Markdown tables:
the routes on the test scenes (image-level macro mAP over the labels
present in them, samples-F2, ms per scene, peak RSS), and the per-tile
answers on the tiles of the test scenes (each chip's prediction as a
separate image, against its tags). The vocabulary is that of the scene
classifier (the training chips' tags); a held-out tag outside it is left
out and counted.
"""
import csv
import json
import os
import sys

import numpy as np
from sklearn.metrics import average_precision_score, fbeta_score

work = sys.argv[1]


def read_tags(path):
    with open(path) as f:
        return {r["image_name"]: set(r["tags"].split()) for r in csv.DictReader(f)}


def read_preds(name):
    """name.json → {image stem: (decided labels, {label: score})}."""
    with open(os.path.join(work, name + ".json")) as f:
        preds = json.load(f)
    out = {}
    for p in preds:
        stem = os.path.splitext(os.path.basename(p["image"]))[0]
        out[stem] = ({l["label"] for l in p["labels"] or []}, p["scores"])
    return out


timings = {}
with open(os.path.join(work, "timings.tsv")) as f:
    for line in f:
        n, s, m = line.split("\t")
        timings[n] = (float(s), float(m))

labels = sorted(read_preds("whole")[next(iter(read_preds("whole")))][1])
scenes = read_tags(os.path.join(work, "test/tags.csv"))
names = sorted(scenes)
with open(os.path.join(work, "test/tiles.csv")) as f:
    tiles = [(r["image_name"], r["chip"]) for r in csv.DictReader(f)]
chip_tags = read_tags(os.path.join(work, "split/test.csv"))
train_scenes = read_tags(os.path.join(work, "train/tags.csv"))
train_chips = read_tags(os.path.join(work, "split/train.csv"))
outside = sorted({t for ts in chip_tags.values() for t in ts} - set(labels))


def matrix(sets, keys):
    return np.array([[l in sets[k] for l in labels] for k in keys], dtype=int)


def scores(preds, keys):
    return np.array([[preds[k][1].get(l, 0.0) for l in labels] for k in keys])


def mean_ap(y, s):
    aps = [average_precision_score(y[:, j], s[:, j]) for j in range(len(labels)) if y[:, j].any()]
    return float(np.mean(aps)), len(aps)


def f2(y, p):
    return fbeta_score(y, p, beta=2, average="samples", zero_division=0)


def majority(train):
    """The tags of at least half the training images, and each label's
    training prevalence as a constant score."""
    y = matrix(train, sorted(train))
    prev = y.mean(axis=0)
    return prev >= 0.5, prev


y = matrix(scenes, names)
keep, prev = majority(train_scenes)
n_ap = mean_ap(y, np.tile(prev, (len(names), 1)))[1]
print(f"Test scenes: {len(names)}; image-level mAP over the {n_ap} labels present in them.")
if outside:
    print(f"Held-out tags outside the vocabulary of the training chips, left out: {' '.join(outside)}.")
print()
print("| route | mAP | samples-F2 | ms per scene | peak RSS (MiB) |")
print("|---|---|---|---|---|")
mask = np.tile(keep, (len(names), 1)).astype(int)
base = "majority tags of the training scenes (" + " ".join(l for l, k in zip(labels, keep) if k) + ")"
print(f"| {base} | {mean_ap(y, np.tile(prev, (len(names), 1)))[0]:.3f} | {f2(y, mask):.3f} | | |")
rows = [
    ("whole-image resize, classifier trained on scenes", "whole"),
    ("tiles + max pooling, classifier trained on scenes (tiled thresholds)", "tiles"),
    ("tiles + max pooling, classifier trained on chips", "chiptiles"),
    ("segmentation, windows at its fixed scale (area thresholds)", "seg"),
]
for title, name in rows:
    preds = read_preds(name)
    p = np.array([[l in preds[k][0] for l in labels] for k in names], dtype=int)
    secs, mib = timings[name]
    print(f"| {title} | {mean_ap(y, scores(preds, names))[0]:.3f} | {f2(y, p):.3f} | {1000 * secs / len(names):.1f} | {mib:.0f} |")

print()
keys = [c for _, c in tiles]
yt = matrix(chip_tags, keys)
keep, prev = majority(train_chips)
print(f"Per tile: the {len(keys)} tiles of the test scenes ({len(set(keys))} distinct held-out chips), each chip predicted as a separate image; mAP over the {mean_ap(yt, np.tile(prev, (len(keys), 1)))[1]} labels present.")
print()
print("| per-tile answers | mAP | samples-F2 | exact tag set |")
print("|---|---|---|---|")
mask = np.tile(keep, (len(keys), 1)).astype(int)
base = "majority tags of the training chips (" + " ".join(l for l, k in zip(labels, keep) if k) + ")"
exact = (mask == yt).all(axis=1).mean()
print(f"| {base} | {mean_ap(yt, np.tile(prev, (len(keys), 1)))[0]:.3f} | {f2(yt, mask):.3f} | {exact:.3f} |")
rows = [
    ("classifier trained on scenes (whole-image thresholds)", "tile_scenes"),
    ("classifier trained on chips", "tile_chips"),
    ("segmenter trained on scenes (area thresholds)", "tile_seg"),
]
for title, name in rows:
    preds = read_preds(name)
    p = np.array([[l in preds[k][0] for l in labels] for k in keys], dtype=int)
    exact = (p == yt).all(axis=1).mean()
    print(f"| {title} | {mean_ap(yt, scores(preds, keys))[0]:.3f} | {f2(yt, p):.3f} | {exact:.3f} |")
