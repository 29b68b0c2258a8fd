#!/usr/bin/python3
"""PyTorch side of bench/engine.sh: the same measurement as mlabel's
enginebench package, printed as the same JSON object.

Training step: forward, mean BCE-with-logits, backward, SGD with momentum 0.9.
Inference: eval-mode forward under torch.inference_mode(). Speeds are the batch
size over the median time of the timed steps, after warm-up steps. Threads
equal the number of cores.

Usage: /usr/bin/python3 bench/torch_engine.py --arch small --size 64 --batch 32
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nn", "testdata"))
from gen_models import MobileNetV2, ResNet, Small  # noqa: E402  (the same graphs as arch)

ARCHS = {
    "small": lambda labels: Small(32, labels),
    "resnet18": lambda labels: ResNet([2, 2, 2, 2], 64, labels),
    "resnet34": lambda labels: ResNet([3, 4, 6, 3], 64, labels),
    "mobilenetv2": lambda labels: MobileNetV2(labels),
}


def measure(step, warmup, steps, batch):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return batch / statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="small", choices=sorted(ARCHS))
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--labels", type=int, default=10)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    a = ap.parse_args()
    threads = os.cpu_count()
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = ARCHS[a.arch](a.labels)
    x = torch.randn(a.batch, 3, a.size, a.size)
    y = (torch.rand(a.batch, a.labels) < 0.5).float()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)

    def train():
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(model(x), y).backward()
        opt.step()

    def infer():
        with torch.inference_mode():
            model(x)

    model.train()
    train_s = measure(train, a.warmup, a.steps, a.batch)
    model.eval()
    infer_s = measure(infer, a.warmup, a.steps, a.batch)
    print(json.dumps({
        "arch": a.arch, "size": a.size, "batch": a.batch,
        "gemm": "pytorch-" + torch.__version__, "threads": threads,
        "train_img_s": round(train_s, 2), "infer_img_s": round(infer_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
