#!/usr/bin/env python3
"""Scores one run of bench/decisions.sh, or prints the table of all runs.

    decisions.py DATASET SEED VARIANT DIR   # one JSON line from DIR's outputs
    decisions.py --table ROWS.jsonl         # the markdown table
"""

import collections
import csv
import json
import os
import sys

WEATHER = {"clear", "partly_cloudy", "haze", "cloudy"}


def score(dataset, seed, variant, d):
    train = json.load(open(os.path.join(d, "train.json")))
    truth = {}
    for r in csv.DictReader(open(os.path.join(d, "m.test.csv"))):
        truth[os.path.normpath(os.path.join(d, r["image_name"]))] = set(r["tags"].split())
    preds = json.load(open(os.path.join(d, "preds.json")))
    one = n_pred = n_true = 0
    pc, tc = collections.Counter(), collections.Counter()
    for p in preds:
        t = truth[os.path.normpath(p["image"])]
        got = {l["label"] for l in p["labels"]}
        one += len(got & WEATHER) == 1
        n_pred += len(got)
        n_true += len(t)
        pc.update(got)
        tc.update(t)
    flood = sorted(l for l in tc if tc[l] >= 10 and pc[l] > 2.5 * tc[l])
    m = train["metrics"]
    return {
        "dataset": dataset, "seed": int(seed), "variant": variant, "images": len(preds),
        "one_weather": one / len(preds) if dataset == "planet" else None,
        "tags_ratio": n_pred / n_true, "flooded": {l: round(pc[l] / tc[l], 2) for l in flood},
        "map_macro": m["map_macro"], "f2_samples": m["f2_samples"], "f1_samples": m["f1_samples"],
        "subset_accuracy": m["subset_accuracy"],
    }


def table(path):
    print("| set | seed | decisions | one weather tag | predicted / true tags | labels over 2.5× | mAP | samples-F2 | samples-F1 | subset acc. |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for line in open(path):
        r = json.loads(line)
        ow = "–" if r["one_weather"] is None else "%.1f%%" % (100 * r["one_weather"])
        fl = ", ".join("%s %.1f×" % kv for kv in r["flooded"].items()) or "none"
        print("| %s | %d | %s | %s | %.2f | %s | %.4f | %.4f | %.4f | %.4f |" % (
            r["dataset"], r["seed"], r["variant"], ow, r["tags_ratio"], fl,
            r["map_macro"], r["f2_samples"], r["f1_samples"], r["subset_accuracy"]))


if __name__ == "__main__":
    if sys.argv[1] == "--table":
        table(sys.argv[2])
    else:
        print(json.dumps(score(*sys.argv[1:5])))
