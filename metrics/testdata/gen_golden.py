#!/usr/bin/python3
"""Generate golden.json: multi-label metrics computed by scikit-learn.

Run with Debian's python3 (python3-sklearn, python3-numpy):

    /usr/bin/python3 metrics/testdata/gen_golden.py > metrics/testdata/golden.json

Cases without a mask compare the Go metrics to scikit-learn called on the
whole matrices. Cases with a mask compare them to scikit-learn called on the
equivalent filtered data: each label's column restricted to its known rows,
each sample's row restricted to its known labels, and the pooled known
entries for micro averages. Averages over columns or rows of those filtered
calls are plain means, as in scikit-learn.
"""

import json
import sys
import warnings

import numpy as np
from sklearn import metrics as skm

warnings.filterwarnings("ignore")

BETAS = [1.0, 2.0, 0.5]
ZERO_DIVISIONS = [0, 1]
AVERAGES = ["samples", "micro", "macro", "weighted"]


def fl(x):
    return float(x)


def make_case(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 31))
    n_labels = int(rng.integers(2, 7))
    truth = (rng.random((n, n_labels)) < rng.uniform(0.15, 0.6)).astype(int)
    # Scores correlate with the truth so that the metrics are not all noise.
    scores = np.clip(0.35 * truth + 0.65 * rng.random((n, n_labels)), 0, 1)
    kind = seed % 6
    if kind == 1:
        scores = np.round(scores, 1)  # many ties, some exactly at 0.5
    elif kind == 2:
        scores = np.full((n, n_labels), 0.5 if seed % 4 == 2 else 0.3)
    elif kind == 3:
        truth[:, 0] = 0  # a label with no positives
        truth[0, :] = 0  # an image with no tags
        scores = np.round(scores, 2)
    elif kind == 4:
        truth[:, -1] = 1  # a label with no negatives
        truth[-1, :] = 0
    mask = None
    if (seed // 6) % 2 == 1:
        mask = rng.random((n, n_labels)) > 0.2
        for i in range(n):
            if mask[i].sum() < 2:  # sample-wise ranking needs two labels
                mask[i, :2] = True
        if n > 3 and seed % 3 == 0:
            mask[1, :] = False  # an image with all tags unknown
        for j in range(n_labels):
            if not mask[:, j].any():
                mask[0, j] = True
                mask[0, :2] = True
    thr = 0.5
    return truth, scores, mask, thr


def prf(t, p, avg, beta, zd):
    return list(
        map(
            fl,
            skm.precision_recall_fscore_support(
                t, p, average=avg, beta=beta, zero_division=zd
            )[:3],
        )
    )


def prf_binary(t, p, beta, zd):
    """Per-unit precision, recall, F for one filtered column or row."""
    out = skm.precision_recall_fscore_support(
        t, p, labels=[1], average=None, beta=beta, zero_division=zd
    )
    return [fl(out[0][0]), fl(out[1][0]), fl(out[2][0]), int(out[3][0])]


def weighted(per, supports, preds, zd):
    w = np.asarray(supports, dtype=float)
    if w.sum() == 0:
        if sum(preds) == 0:
            return [float(zd)] * 3
        return [0.0, float(zd), 0.0]
    per = np.asarray(per)
    return [fl(np.average(per[:, k], weights=w)) for k in range(3)]


def columns(truth, other, mask):
    for j in range(truth.shape[1]):
        keep = np.ones(truth.shape[0], bool) if mask is None else mask[:, j]
        yield truth[keep, j], other[keep, j]


def rows(truth, other, mask):
    for i in range(truth.shape[0]):
        keep = np.ones(truth.shape[1], bool) if mask is None else mask[i]
        if keep.any():
            yield truth[i, keep], other[i, keep]


def pooled(truth, other, mask):
    keep = np.ones(truth.shape, bool) if mask is None else mask
    return truth[keep], other[keep]


def prf_all(truth, pred, mask):
    out = []
    for beta in BETAS:
        for zd in ZERO_DIVISIONS:
            if mask is None:
                for avg in AVERAGES:
                    out.append(entry(avg, beta, zd, prf(truth, pred, avg, beta, zd)))
                continue
            cols = [prf_binary(t, p, beta, zd) for t, p in columns(truth, pred, mask)]
            per_col = [c[:3] for c in cols]
            out.append(entry("macro", beta, zd, list(np.mean(per_col, axis=0))))
            preds = [int(p.sum()) for _, p in columns(truth, pred, mask)]
            out.append(
                entry("weighted", beta, zd, weighted(per_col, [c[3] for c in cols], preds, zd))
            )
            per_row = [prf_binary(t, p, beta, zd)[:3] for t, p in rows(truth, pred, mask)]
            out.append(entry("samples", beta, zd, list(np.mean(per_row, axis=0))))
            t, p = pooled(truth, pred, mask)
            out.append(entry("micro", beta, zd, prf_binary(t, p, beta, zd)[:3]))
    return out


def per_label_prf(truth, pred, mask):
    out = []
    for beta in BETAS:
        for zd in ZERO_DIVISIONS:
            vals = [prf_binary(t, p, beta, zd)[:3] for t, p in columns(truth, pred, mask)]
            out.append({"beta": beta, "zero_division": zd, "values": [list(map(fl, v)) for v in vals]})
    return out


def entry(avg, beta, zd, vals):
    return {"average": avg, "beta": beta, "zero_division": zd, "p": fl(vals[0]), "r": fl(vals[1]), "f": fl(vals[2])}


def jaccard_all(truth, pred, mask):
    out = []
    for zd in ZERO_DIVISIONS:
        if mask is None:
            for avg in ["samples", "micro", "macro"]:
                out.append({"average": avg, "zero_division": zd,
                            "value": fl(skm.jaccard_score(truth, pred, average=avg, zero_division=zd))})
            continue

        def one(t, p):
            return fl(skm.jaccard_score(t, p, labels=[1], average=None, zero_division=zd)[0])

        out.append({"average": "macro", "zero_division": zd,
                    "value": fl(np.mean([one(t, p) for t, p in columns(truth, pred, mask)]))})
        out.append({"average": "samples", "zero_division": zd,
                    "value": fl(np.mean([one(t, p) for t, p in rows(truth, pred, mask)]))})
        t, p = pooled(truth, pred, mask)
        out.append({"average": "micro", "zero_division": zd, "value": one(t, p)})
    return out


def subset_hamming(truth, pred, mask):
    if mask is None:
        return fl(skm.accuracy_score(truth, pred)), fl(skm.hamming_loss(truth, pred))
    acc = np.mean([skm.accuracy_score(t[None, :], p[None, :]) for t, p in rows(truth, pred, mask)])
    t, p = pooled(truth, pred, mask)
    return fl(acc), fl(skm.hamming_loss(t, p))


def confusion(truth, pred, mask):
    if mask is None:
        return skm.multilabel_confusion_matrix(truth, pred).tolist()
    return [skm.confusion_matrix(t, p, labels=[0, 1]).tolist() for t, p in columns(truth, pred, mask)]


def per_label_curves(truth, scores, mask):
    ap, auc = [], []
    for t, s in columns(truth, scores, mask):
        ap.append(fl(skm.average_precision_score(t, s)) if t.sum() > 0 else None)
        auc.append(fl(skm.roc_auc_score(t, s)) if 0 < t.sum() < len(t) else None)
    return ap, auc


def ranking(truth, scores, mask):
    fns = {
        "lrap": skm.label_ranking_average_precision_score,
        "ranking_loss": skm.label_ranking_loss,
        "coverage_error": skm.coverage_error,
        "ndcg": skm.ndcg_score,
    }
    out = {}
    for name, fn in fns.items():
        if mask is None:
            out[name] = fl(fn(truth, scores))
        else:
            out[name] = fl(np.mean([fn(t[None, :], s[None, :]) for t, s in rows(truth, scores, mask)]))
    return out


def main():
    cases = []
    for seed in range(60):
        truth, scores, mask, thr = make_case(seed)
        pred = (scores >= thr).astype(int)
        ap, auc = per_label_curves(truth, scores, mask)
        valid_ap = [a for a in ap if a is not None]
        valid_auc = [a for a in auc if a is not None]
        t, s = pooled(truth, scores, mask)
        acc, ham = subset_hamming(truth, pred, mask)
        case = {
            "name": "seed%d" % seed,
            "truth": truth.tolist(),
            "scores": scores.tolist(),
            "mask": None if mask is None else mask.tolist(),
            "threshold": thr,
            "prf": prf_all(truth, pred, mask),
            "per_label_prf": per_label_prf(truth, pred, mask),
            "jaccard": jaccard_all(truth, pred, mask),
            "subset_accuracy": acc,
            "hamming_loss": ham,
            "confusion": confusion(truth, pred, mask),
            "ap": ap,
            "roc_auc": auc,
            "map_macro": fl(np.mean(valid_ap)) if valid_ap else None,
            "map_micro": fl(skm.average_precision_score(t, s)) if t.sum() > 0 else None,
            "roc_auc_macro": fl(np.mean(valid_auc)) if valid_auc else None,
        }
        if mask is None and valid_ap and len(valid_ap) == len(ap):
            case["map_macro_sklearn"] = fl(skm.average_precision_score(truth, scores, average="macro"))
        case.update(ranking(truth, scores, mask))
        cases.append(case)
    json.dump({"generator": "sklearn " + __import__("sklearn").__version__, "cases": cases},
              sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
