#!/usr/bin/python3
"""Writes PyTorch reference outputs for mlabel's nn layers.

Run with Debian's python3 (it has python3-torch):

    /usr/bin/python3 nn/testdata/gen_layers.py

Each case becomes layers/<name>.bin. PyTorch works on NHWC tensors that are
permuted to NCHW around each op, so inputs, outputs and gradients are stored
in mlabel's NHWC layout, and conv weights in HWIO, without manual
conversions. Computation is in float64; values are stored as float32.

File format, little-endian:
    "MLG1", u32 n, n bytes of JSON {"node": <nn.Node>, "train": bool}
    u32 count, then count tensors:
        u16 n, n bytes of name, u8 rank, rank × u32 dims, float32 data
Tensor names: in<i>, out, gradout, gradin<i>, param/<p> (values before the
step), grad/<p> (parameter gradients), after/<p> (buffers after forward).
"""
import json
import os
import struct

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "layers")


def nchw(x):
    return x.permute(0, 3, 1, 2) if x.dim() == 4 else x


def nhwc(x):
    return x.permute(0, 2, 3, 1) if x.dim() == 4 else x


def act(name, attrs, x):
    a = attrs.get("alpha", 0)
    if not name:
        return x
    if name == "relu":
        return F.relu(x)
    if name == "leaky_relu":
        return F.leaky_relu(x, a or 0.01)
    if name == "relu6":
        return F.relu6(x)
    if name == "silu":
        return F.silu(x)
    if name == "hard_sigmoid":
        if a or attrs.get("beta"):
            return torch.clamp((a or 1 / 6) * x + attrs.get("beta", 0.5), 0, 1)
        return F.hardsigmoid(x)
    if name == "hard_swish":
        return F.hardswish(x)
    if name == "sigmoid":
        return torch.sigmoid(x)
    raise ValueError(name)


def uniform(*shape, lo=-1.0, hi=1.0):
    return torch.rand(*shape) * (hi - lo) + lo


def conv(attrs, xs, params):
    x = xs[0]
    kh, kw = attrs["kernel"]
    cin = x.shape[3]
    groups = attrs.get("groups", 1)
    cout = attrs["filters"]
    params["weight"] = uniform(kh, kw, cin // groups, cout) * 0.5
    if attrs.get("bias"):
        params["bias"] = uniform(cout)
    for p in params.values():
        p.requires_grad_()
    t, l, b, r = attrs.get("pad", [0, 0, 0, 0])
    y = F.conv2d(F.pad(nchw(x), (l, r, t, b)), params["weight"].permute(3, 2, 0, 1),
                 params.get("bias"), stride=attrs.get("stride", [1, 1]),
                 dilation=attrs.get("dilation", [1, 1]), groups=groups)
    return nhwc(act(attrs.get("act", ""), attrs, y))


def batchnorm(attrs, xs, params, train):
    x = xs[0]
    c = x.shape[-1]
    bn = (torch.nn.BatchNorm2d if x.dim() == 4 else torch.nn.BatchNorm1d)(
        c, eps=attrs.get("eps", 1e-5), momentum=attrs.get("momentum", 0.1))
    with torch.no_grad():
        bn.weight.copy_(uniform(c, lo=0.5, hi=1.5))
        bn.bias.copy_(uniform(c))
        bn.running_mean.copy_(uniform(c, lo=-0.5, hi=0.5))
        bn.running_var.copy_(uniform(c, lo=0.5, hi=1.5))
    params["gamma"], params["beta"] = bn.weight, bn.bias
    params["running_mean"] = bn.running_mean.clone()
    params["running_var"] = bn.running_var.clone()
    bn.train(train)
    y = nhwc(bn(nchw(x)))
    return y, {"running_mean": bn.running_mean, "running_var": bn.running_var}


def pool(op, attrs, xs):
    k = attrs["kernel"]
    s = attrs.get("stride", k)
    pad = attrs.get("pad", [0, 0, 0, 0])
    assert pad[0] == pad[2] and pad[1] == pad[3], "PyTorch pools pad symmetrically"
    kw = dict(kernel_size=k, stride=s, padding=(pad[0], pad[1]), ceil_mode=attrs.get("ceil_mode", False))
    if op == "maxpool2d":
        return nhwc(F.max_pool2d(nchw(xs[0]), **kw))
    return nhwc(F.avg_pool2d(nchw(xs[0]), count_include_pad=attrs.get("count_include_pad", False), **kw))


def dense(attrs, xs, params):
    x = xs[0].reshape(xs[0].shape[0], -1)
    params["weight"] = uniform(x.shape[1], attrs["units"]).requires_grad_()
    y = x @ params["weight"]
    if attrs.get("bias"):
        params["bias"] = uniform(attrs["units"]).requires_grad_()
        y = y + params["bias"]
    return act(attrs.get("act", ""), attrs, y)


def mul(xs):
    a, b = xs
    if b.shape != a.shape:
        b = b.reshape(a.shape[0], *([1] * (a.dim() - 2)), a.shape[-1])
    return a * b


def group_softmax(attrs, x):
    """Each group's softmax (with a zero logit for "none"), as per-label logits."""
    cols = list(x.unbind(dim=1))
    none = attrs.get("group_none") or [False] * len(attrs["label_groups"])
    for g, n in zip(attrs["label_groups"], none):
        z = torch.stack([cols[j] for j in g], dim=1)
        if n:
            z = torch.cat([z, torch.zeros(z.shape[0], 1)], dim=1)
        p = torch.softmax(z, dim=1)
        for a, j in enumerate(g):
            cols[j] = torch.log(p[:, a]) - torch.log1p(-p[:, a])
    return torch.stack(cols, dim=1)


def forward(node, xs, params, train):
    op, attrs = node["op"], node["attrs"]
    if op == "group_softmax":
        return group_softmax(attrs, xs[0]), {}
    if op == "conv2d":
        return conv(attrs, xs, params), {}
    if op == "batchnorm2d":
        return batchnorm(attrs, xs, params, train)
    if op in ("maxpool2d", "avgpool2d"):
        return pool(op, attrs, xs), {}
    if op == "dense":
        return dense(attrs, xs, params), {}
    x = xs[0]
    simple = {
        "global_avgpool": lambda: x.mean(dim=(1, 2)),
        "global_maxpool": lambda: x.flatten(1, 2).max(dim=1).values,
        "add": lambda: act(attrs.get("act", ""), attrs, sum(xs)),
        "mul": lambda: mul(xs),
        "concat": lambda: torch.cat(xs, dim=-1),
        "upsample": lambda: nhwc(F.interpolate(nchw(x), scale_factor=attrs.get("scale", 2), mode="nearest")),
        "flatten": lambda: x.flatten(1),
        "dropout": lambda: F.dropout(x, attrs.get("rate", 0), training=False),
    }
    if op in simple:
        return simple[op](), {}
    if op == "scale_shift":
        c = x.shape[-1]
        params["scale"] = uniform(c, lo=0.5, hi=1.5).requires_grad_()
        params["shift"] = uniform(c).requires_grad_()
        return x * params["scale"] + params["shift"], {}
    return act(op, attrs, x), {}


def write(path, meta, tensors):
    with open(path, "wb") as f:
        m = json.dumps(meta).encode()
        f.write(b"MLG1" + struct.pack("<I", len(m)) + m)
        f.write(struct.pack("<I", len(tensors)))
        for name, t in tensors:
            t = t.detach().to(torch.float32).contiguous()
            nb = name.encode()
            f.write(struct.pack("<H", len(nb)) + nb + struct.pack("<B", t.dim()))
            f.write(struct.pack("<%dI" % t.dim(), *t.shape))
            f.write(t.numpy().astype("<f4").tobytes())


def case(name, op, shapes, train=True, spread=1.0, **attrs):
    """Writes one case; inputs are uniform in ±spread."""
    torch.manual_seed(sum(map(ord, name)))
    node = {"name": name, "op": op, "attrs": attrs}
    xs = [(uniform(*s) * spread).requires_grad_() for s in shapes]
    params = {}
    y, after = forward(node, xs, params, train)
    gy = uniform(*y.shape)
    y.backward(gy)
    tensors = [("in%d" % i, x) for i, x in enumerate(xs)]
    tensors += [("param/" + k, v) for k, v in params.items()]
    tensors += [("out", y), ("gradout", gy)]
    tensors += [("gradin%d" % i, x.grad) for i, x in enumerate(xs)]
    tensors += [("grad/" + k, v.grad) for k, v in params.items() if v.grad is not None]
    tensors += [("after/" + k, v) for k, v in after.items()]
    write(os.path.join(OUT, name + ".bin"), {"node": node, "train": train}, tensors)


IMG = [2, 6, 7, 4]


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".bin"):
            os.remove(os.path.join(OUT, f))
    case("conv3x3_same", "conv2d", [IMG], filters=5, kernel=[3, 3], pad=[1, 1, 1, 1])
    case("conv3x3_s2_asympad_bias_relu", "conv2d", [IMG], filters=6, kernel=[3, 3], stride=[2, 2],
         pad=[0, 1, 1, 0], bias=True, act="relu")
    case("conv_5x3_dilated_leaky", "conv2d", [IMG], filters=3, kernel=[3, 2], dilation=[2, 2],
         pad=[2, 1, 2, 1], bias=True, act="leaky_relu", alpha=0.2)
    case("conv_groups2_relu6", "conv2d", [IMG], filters=6, kernel=[3, 3], groups=2, pad=[1, 1, 1, 1],
         bias=True, act="relu6")
    case("conv_depthwise_s2", "conv2d", [[2, 7, 7, 6]], filters=6, kernel=[3, 3], groups=6,
         stride=[2, 2], pad=[1, 1, 1, 1], bias=True, act="hard_swish")
    case("conv_depthwise_mult2", "conv2d", [IMG], filters=8, kernel=[3, 3], groups=4, pad=[1, 1, 1, 1])
    case("conv_pointwise_silu", "conv2d", [IMG], filters=7, kernel=[1, 1], bias=True, act="silu")
    case("conv_1x1_s2", "conv2d", [IMG], filters=3, kernel=[1, 1], stride=[2, 2], act="sigmoid")
    case("conv7x7_s2_p3", "conv2d", [[2, 12, 12, 3]], filters=4, kernel=[7, 7], stride=[2, 2], pad=[3, 3, 3, 3])
    # 64 tiles of 4×4 outputs and 16 channels: the Winograd path
    case("conv3x3_winograd", "conv2d", [[4, 13, 13, 16]], filters=16, kernel=[3, 3], pad=[1, 1, 1, 1],
         bias=True, act="relu")
    case("batchnorm_train", "batchnorm2d", [IMG], True)
    case("batchnorm_train_momentum", "batchnorm2d", [IMG], True, eps=1e-3, momentum=0.3)
    case("batchnorm_eval", "batchnorm2d", [IMG], False)
    case("batchnorm1d_train", "batchnorm2d", [[8, 5]], True)
    for a in ["relu", "leaky_relu", "relu6", "silu", "hard_sigmoid", "hard_swish", "sigmoid"]:
        case(a, a, [[2, 3, 4, 5]])
    for a in ["relu6", "silu", "hard_sigmoid", "hard_swish", "sigmoid"]:
        case(a + "_wide", a, [[4, 50]], spread=8.0)
    case("hard_sigmoid_custom", "hard_sigmoid", [[3, 10]], alpha=0.2, beta=0.4)
    case("leaky_relu_alpha", "leaky_relu", [[3, 10]], alpha=0.3)
    case("maxpool2", "maxpool2d", [IMG], kernel=[2, 2])
    case("maxpool2_ceil", "maxpool2d", [IMG], kernel=[2, 2], ceil_mode=True)
    case("maxpool3_s2_p1", "maxpool2d", [IMG], kernel=[3, 3], stride=[2, 2], pad=[1, 1, 1, 1])
    case("maxpool3_s2_p1_ceil", "maxpool2d", [[2, 8, 8, 3]], kernel=[3, 3], stride=[2, 2], pad=[1, 1, 1, 1], ceil_mode=True)
    case("avgpool2", "avgpool2d", [IMG], kernel=[2, 2])
    case("avgpool3_s2_p1_ceil_incl", "avgpool2d", [IMG], kernel=[3, 3], stride=[2, 2], pad=[1, 1, 1, 1],
         ceil_mode=True, count_include_pad=True)
    case("avgpool3_s2_p1_ceil_excl", "avgpool2d", [IMG], kernel=[3, 3], stride=[2, 2], pad=[1, 1, 1, 1],
         ceil_mode=True)
    case("avgpool2_ceil", "avgpool2d", [IMG], kernel=[2, 2], ceil_mode=True)
    case("global_avgpool", "global_avgpool", [IMG])
    case("global_maxpool", "global_maxpool", [IMG])
    case("dense", "dense", [[4, 9]], units=5)
    case("dense_bias_relu", "dense", [[4, 9]], units=6, bias=True, act="relu")
    case("add2", "add", [IMG, IMG])
    case("add3_relu", "add", [IMG, IMG, IMG], act="relu")
    case("add2_relu", "add", [IMG, IMG], act="relu")
    case("mul_same", "mul", [IMG, IMG])
    case("mul_bcast4d", "mul", [IMG, [2, 1, 1, 4]])
    case("mul_bcast2d", "mul", [IMG, [2, 4]])
    case("concat", "concat", [IMG, [2, 6, 7, 2], [2, 6, 7, 3]])
    case("upsample2", "upsample", [[2, 3, 4, 3]])
    case("upsample3", "upsample", [[1, 2, 3, 2]], scale=3)
    case("flatten", "flatten", [IMG])
    case("scale_shift", "scale_shift", [IMG])
    case("dropout_eval", "dropout", [IMG], False, rate=0.4)
    case("group_softmax", "group_softmax", [[5, 7]], spread=3.0,
         label_groups=[[0, 2, 3], [5, 1]])
    case("group_softmax_none", "group_softmax", [[5, 6]], spread=3.0,
         label_groups=[[1, 4], [0, 2, 5]], group_none=[True, False])


if __name__ == "__main__":
    main()
