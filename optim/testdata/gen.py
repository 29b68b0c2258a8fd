#!/usr/bin/python3
"""Writes golden.json: parameter trajectories of torch.optim.SGD and AdamW,
the learning rates of torch's OneCycleLR and LinearLR + CosineAnnealingLR,
and torch.nn.utils.clip_grad_norm_.

Run with Debian's python3-torch: /usr/bin/python3 optim/testdata/gen.py
"""
import json
import os

import torch

torch.manual_seed(11)

# name, shape, no_decay, frozen, has_grad
PARAMS = [
    ("conv.weight", [2, 3], False, False, True),
    ("conv.bias", [3], True, False, True),
    ("bn.gamma", [2], True, False, True),
    ("frozen.w", [2], False, True, True),
    ("bn.running_mean", [2], False, False, False),
]
LRS = [0.1, 0.05, 0.2, 0.01, 0.1, 0.03]
# conv.bias has no gradient at this step, so it is skipped once.
SKIP = {2: "conv.bias"}

init = {n: torch.randn(s) for n, s, *_ in PARAMS}
grads = [{n: torch.randn(s) for n, s, _, _, g in PARAMS if g} for _ in LRS]
for step, name in SKIP.items():
    del grads[step][name]


def run(make):
    ps = {n: init[n].clone().requires_grad_(True) for n, *_ in PARAMS}
    decay = [ps[n] for n, _, nd, fr, _ in PARAMS if not nd and not fr]
    nodecay = [ps[n] for n, _, nd, fr, _ in PARAMS if nd and not fr]
    opt = make(decay, nodecay)
    traj = []
    for step, lr in enumerate(LRS):
        for g in opt.param_groups:
            g["lr"] = lr
        for n, p in ps.items():
            p.grad = grads[step][n].clone() if n in grads[step] else None
        opt.step()
        traj.append({n: p.detach().flatten().tolist() for n, p in ps.items()})
    return traj


def sgd(momentum=0.0, dampening=0.0, nesterov=False, wd=0.0):
    def make(decay, nodecay):
        return torch.optim.SGD([{"params": decay, "weight_decay": wd},
                                {"params": nodecay, "weight_decay": 0.0}],
                               lr=0.1, momentum=momentum, dampening=dampening, nesterov=nesterov)
    cfg = {"momentum": momentum, "dampening": dampening, "nesterov": nesterov, "weight_decay": wd}
    return cfg, make


def adamw(b1=0.9, b2=0.999, eps=1e-8, wd=0.01):
    def make(decay, nodecay):
        return torch.optim.AdamW([{"params": decay, "weight_decay": wd},
                                  {"params": nodecay, "weight_decay": 0.0}],
                                 lr=0.1, betas=(b1, b2), eps=eps)
    cfg = {"beta1": b1, "beta2": b2, "eps": eps, "weight_decay": wd}
    return cfg, make


OPTS = [
    ("sgd plain", "sgd", sgd()),
    ("sgd momentum dampening decay", "sgd", sgd(momentum=0.9, dampening=0.1, wd=1e-2)),
    ("sgd nesterov", "sgd", sgd(momentum=0.9, nesterov=True, wd=5e-4)),
    ("adamw defaults", "adamw", adamw()),
    ("adamw custom", "adamw", adamw(b1=0.8, b2=0.99, eps=1e-6, wd=0.1)),
]

optimizers = []
for name, kind, (cfg, make) in OPTS:
    optimizers.append({"name": name, "kind": kind, "config": cfg, "after": run(make)})


def lr_sequence(make_sched, total, base):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    sched = make_sched(opt)
    out = []
    for _ in range(total):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def one_cycle(max_lr, total, **kw):
    return lr_sequence(lambda o: torch.optim.lr_scheduler.OneCycleLR(
        o, max_lr=max_lr, total_steps=total, cycle_momentum=False, **kw), total, max_lr)


def one_cycle_momentum(max_lr, total, **kw):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.AdamW([p], lr=max_lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=max_lr, total_steps=total, **kw)
    out = []
    for _ in range(total):
        out.append(opt.param_groups[0]["betas"][0])
        opt.step()
        sched.step()
    return out


def warmup_cosine(base, warmup, start, eta_min, total):
    warm = lr_sequence(lambda o: torch.optim.lr_scheduler.LinearLR(
        o, start_factor=start, end_factor=1.0, total_iters=warmup), warmup, base)
    cos = lr_sequence(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
        o, T_max=total - warmup, eta_min=eta_min), total - warmup, base)
    return warm + cos


schedules = [
    {"name": "onecycle defaults", "kind": "onecycle", "max_lr": 0.1, "total": 100,
     "lrs": one_cycle(0.1, 100)},
    {"name": "onecycle custom", "kind": "onecycle", "max_lr": 0.4, "total": 37,
     "pct_start": 0.25, "div_factor": 10.0, "final_div_factor": 100.0,
     "lrs": one_cycle(0.4, 37, pct_start=0.25, div_factor=10.0, final_div_factor=100.0)},
    {"name": "warmup cosine", "kind": "warmup_cosine", "base_lr": 0.1, "total": 50,
     "warmup": 5, "start_factor": 0.01, "min_lr": 1e-4,
     "lrs": warmup_cosine(0.1, 5, 0.01, 1e-4, 50)},
    {"name": "warmup cosine long warmup", "kind": "warmup_cosine", "base_lr": 3e-3, "total": 20,
     "warmup": 12, "start_factor": 0.2, "min_lr": 0.0,
     "lrs": warmup_cosine(3e-3, 12, 0.2, 0.0, 20)},
]

momenta = [
    {"name": "onecycle momentum defaults", "max_lr": 0.1, "total": 100,
     "momenta": one_cycle_momentum(0.1, 100)},
    {"name": "onecycle momentum custom", "max_lr": 0.4, "total": 37, "pct_start": 0.25,
     "momenta": one_cycle_momentum(0.4, 37, pct_start=0.25)},
]

clips = []
for max_norm in [0.5, 100.0]:
    ps = [torch.zeros(s, requires_grad=True) for s in ([3, 2], [4])]
    for p in ps:
        p.grad = torch.randn(p.shape)
    before = [p.grad.flatten().tolist() for p in ps]
    norm = torch.nn.utils.clip_grad_norm_(ps, max_norm)
    clips.append({"max_norm": max_norm, "shapes": [list(p.shape) for p in ps], "grads": before,
                  "norm": norm.item(), "clipped": [p.grad.flatten().tolist() for p in ps]})

golden = {
    "generator": "optim/testdata/gen.py",
    "torch": torch.__version__,
    "params": [{"name": n, "shape": s, "no_decay": nd, "frozen": fr, "has_grad": g,
                "init": init[n].flatten().tolist()} for n, s, nd, fr, g in PARAMS],
    "lrs": LRS,
    "grads": [{n: g.flatten().tolist() for n, g in step.items()} for step in grads],
    "optimizers": optimizers,
    "schedules": schedules,
    "momenta": momenta,
    "clips": clips,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
with open(path, "w") as f:
    json.dump(golden, f)
    f.write("\n")
