#!/usr/bin/python3
"""Writes PyTorch reference outputs for mlabel's transposed convolution.

Run with Debian's python3 (it has python3-torch):

    /usr/bin/python3 nn/testdata/gen_conv_transpose.py

Each case becomes layers_transpose/<name>.bin, in the format of
gen_layers.py (whose helpers it uses). mlabel's weight is [KH, KW, Cin,
Cout]; PyTorch's ConvTranspose2d weight is [Cin, Cout, KH, KW].
"""
import os

import torch
import torch.nn.functional as F

from gen_layers import nchw, nhwc, uniform, write

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "layers_transpose")


def case(name, shape, filters, kernel, stride=(1, 1), pad=0, bias=False):
    torch.manual_seed(sum(map(ord, name)))
    attrs = {"filters": filters, "kernel": list(kernel), "stride": list(stride), "bias": bias}
    if pad:
        attrs["pad"] = [pad, pad, pad, pad]
    node = {"name": name, "op": "conv_transpose2d", "attrs": attrs}
    x = uniform(*shape).requires_grad_()
    params = {"weight": (uniform(kernel[0], kernel[1], shape[3], filters) * 0.5).requires_grad_()}
    if bias:
        params["bias"] = uniform(filters).requires_grad_()
    y = nhwc(F.conv_transpose2d(nchw(x), params["weight"].permute(2, 3, 0, 1), params.get("bias"),
                                stride=stride, padding=pad))
    gy = uniform(*y.shape)
    y.backward(gy)
    tensors = [("in0", x)] + [("param/" + k, v) for k, v in params.items()]
    tensors += [("out", y), ("gradout", gy), ("gradin0", x.grad)]
    tensors += [("grad/" + k, v.grad) for k, v in params.items()]
    write(os.path.join(OUT, name + ".bin"), {"node": node, "train": True}, tensors)


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".bin"):
            os.remove(os.path.join(OUT, f))
    case("tconv2x2_s2_bias", [2, 3, 4, 5], 3, (2, 2), (2, 2), bias=True)
    case("tconv3x3_s2_p1", [2, 4, 3, 3], 4, (3, 3), (2, 2), pad=1)
    case("tconv3x3_s1", [1, 5, 5, 2], 3, (3, 3), bias=True)
    case("tconv4x2_s3", [1, 3, 2, 3], 2, (4, 2), (3, 1))


if __name__ == "__main__":
    main()
