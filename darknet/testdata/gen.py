#!/usr/bin/python3
"""Writes yolov3tiny_128.json: yolov3-tiny's raw head outputs for a fixed
synthetic 128x128 input, computed by an independent PyTorch implementation
of Darknet's forward pass (its own cfg parser and weights reader).

Run with Debian's python3-torch: /usr/bin/python3 darknet/testdata/gen.py
It finds the model with "go mod download -json gorgonia.org/gorgonia@v0.9.18".
"""
import json
import os
import subprocess

import numpy as np
import torch
import torch.nn.functional as F

SIZE = 128
info = json.loads(subprocess.check_output(
    ["go", "mod", "download", "-json", "gorgonia.org/gorgonia@v0.9.18"]))
data = os.path.join(info["Dir"], "examples", "tiny-yolo-v3-coco", "data")


def sections(path):
    out = []
    for line in open(path):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line[0] == "[":
            out.append((line[1:-1], {}))
        else:
            k, v = line.split("=", 1)
            out[-1][1][k.strip()] = v.strip()
    return out


def synthetic_input():
    # x[h, w, c] = 0.5 + 0.5 sin(0.05 h + 0.07 w + c), NCHW for torch.
    h = np.arange(SIZE).reshape(SIZE, 1, 1)
    w = np.arange(SIZE).reshape(1, SIZE, 1)
    c = np.arange(3).reshape(1, 1, 3)
    x = (0.5 + 0.5 * np.sin(0.05 * h + 0.07 * w + c)).astype(np.float32)
    return torch.from_numpy(x).permute(2, 0, 1).unsqueeze(0).double()


def forward():
    secs = sections(os.path.join(data, "yolov3-tiny.cfg"))
    raw = np.fromfile(os.path.join(data, "yolov3-tiny.weights"), dtype=np.uint8)
    major, minor, _ = np.frombuffer(raw[:12], dtype=np.int32)
    off = 12 + (8 if major * 10 + minor >= 2 else 4)
    weights = np.frombuffer(raw[off:], dtype=np.float32)
    pos = 0

    def take(n):
        nonlocal pos
        v = torch.from_numpy(weights[pos:pos + n].copy()).double()
        pos += n
        return v

    x = synthetic_input()
    outs, heads = [], []
    for typ, o in secs[1:]:
        i = len(outs)
        if typ == "convolutional":
            f, k, s = int(o["filters"]), int(o["size"]), int(o.get("stride", 1))
            p = k // 2 if int(o.get("pad", 0)) else 0
            cin = x.shape[1]
            bias = take(f)
            if int(o.get("batch_normalize", 0)):
                scale, mean, var = take(f), take(f), take(f)
            wt = take(f * cin * k * k).reshape(f, cin, k, k)
            x = F.conv2d(x, wt, padding=p, stride=s)
            if int(o.get("batch_normalize", 0)):
                x = (x - mean.view(1, -1, 1, 1)) / (var.sqrt().view(1, -1, 1, 1) + 1e-6)
                x = x * scale.view(1, -1, 1, 1)
            x = x + bias.view(1, -1, 1, 1)
            if o["activation"] == "leaky":
                x = F.leaky_relu(x, 0.1)
        elif typ == "maxpool":
            k, s = int(o["size"]), int(o["stride"])
            pad = k - 1
            x = F.pad(x, (pad // 2, pad - pad // 2, pad // 2, pad - pad // 2), value=float("-inf"))
            x = F.max_pool2d(x, k, s)
        elif typ == "route":
            idx = [int(v) for v in o["layers"].split(",")]
            x = torch.cat([outs[j if j >= 0 else i + j] for j in idx], 1)
        elif typ == "upsample":
            x = F.interpolate(x, scale_factor=int(o["stride"]), mode="nearest")
        elif typ == "yolo":
            heads.append(x)
        else:
            raise SystemExit("unsupported " + typ)
        outs.append(x)
    assert pos == len(weights), (pos, len(weights))
    return heads


heads = forward()
rng = np.random.default_rng(5)
golden = {"generator": "darknet/testdata/gen.py", "size": SIZE, "heads": []}
for h in heads:
    nhwc = h.permute(0, 2, 3, 1).contiguous().flatten().numpy()
    idx = np.sort(rng.choice(len(nhwc), 300, replace=False))
    golden["heads"].append({
        "shape": list(h.permute(0, 2, 3, 1).shape),
        "index": idx.tolist(),
        "value": nhwc[idx].tolist(),
        "sum_abs": float(np.abs(nhwc).sum()),
    })
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "yolov3tiny_128.json")
with open(path, "w") as f:
    json.dump(golden, f)
    f.write("\n")
