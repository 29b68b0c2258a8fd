#!/usr/bin/python3
"""Writes the golden files of the model-level tests (arch package) with PyTorch.

Run with Debian's python3 (python3-torch):  /usr/bin/python3 nn/testdata/gen_models.py

For each network it builds the same graph as mlabel's arch package with fixed
random weights and batch-norm statistics, then records, in mlabel's weights
blob format (see nn/serialize.go), converted to mlabel's layouts (NHWC
activations, HWIO conv weights, [In, Out] dense weights):
  w/<param>          the weights before the step
  x, target          the input batch and the 0/1 targets
  eval_logits        logits in eval mode
  train_logits       logits in train mode (batch statistics)
  g/<param>          gradients of mean BCE-with-logits after the train step
  after/<bn buffer>  running statistics after the train forward
"""
import os
import struct
import zlib

import numpy as np
import torch
import torch.nn as tnn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")


def crc32c(data):
    """CRC-32C (Castagnoli), bitwise; the files are small."""
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    crc = 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def write_blob(path, tensors):
    out = bytearray(b"MLWEIGHT")
    out += struct.pack("<II", 1, len(tensors))
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype="<f4")
        nb = name.encode()
        out += struct.pack("<I", len(nb)) + nb
        out += struct.pack("<I", a.ndim) + struct.pack("<%dI" % a.ndim, *a.shape)
        out += a.tobytes()
    out += struct.pack("<I", crc32c(bytes(out)))
    with open(path, "wb") as f:
        f.write(out)


class Block(tnn.Module):
    """small's block: conv3x3 (no bias), BN, ReLU, 2x2 max pool."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = tnn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn = tnn.BatchNorm2d(cout)

    def forward(self, x):
        return F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)


class Small(tnn.Module):
    def __init__(self, width, labels):
        super().__init__()
        ch = [3, width, 2 * width, 4 * width, 8 * width]
        for i in range(4):
            setattr(self, "block%d" % (i + 1), Block(ch[i], ch[i + 1]))
        self.fc = tnn.Linear(ch[4], labels)

    def forward(self, x):
        for i in range(4):
            x = getattr(self, "block%d" % (i + 1))(x)
        return self.fc(x.mean((2, 3)))


class BasicBlock(tnn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = tnn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(cout)
        self.conv2 = tnn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = tnn.Sequential(tnn.Conv2d(cin, cout, 1, stride, bias=False), tnn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        s = x if self.downsample is None else self.downsample(x)
        return F.relu(y + s)


class ResNet(tnn.Module):
    """torchvision's ResNet layout with BasicBlocks and a configurable width."""

    def __init__(self, blocks, width, labels):
        super().__init__()
        self.conv1 = tnn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = tnn.BatchNorm2d(width)
        cin = width
        for stage, n in enumerate(blocks):
            cout = width << stage
            layers = []
            for i in range(n):
                layers.append(BasicBlock(cin, cout, 2 if stage > 0 and i == 0 else 1))
                cin = cout
            setattr(self, "layer%d" % (stage + 1), tnn.Sequential(*layers))
        self.fc = tnn.Linear(cin, labels)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        for stage in range(4):
            x = getattr(self, "layer%d" % (stage + 1))(x)
        return self.fc(x.mean((2, 3)))


def make_divisible(v, d=8):
    """torchvision's rounding of MobileNetV2 widths."""
    n = max(d, int(v + d / 2) // d * d)
    if n < 0.9 * v:
        n += d
    return n


def conv_bn_relu6(cin, cout, k, stride, groups):
    return tnn.Sequential(
        tnn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
        tnn.BatchNorm2d(cout), tnn.ReLU6())


class InvertedResidual(tnn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = []
        if expand != 1:
            layers.append(conv_bn_relu6(cin, hidden, 1, 1, 1))
        layers += [conv_bn_relu6(hidden, hidden, 3, stride, hidden),
                   tnn.Conv2d(hidden, cout, 1, bias=False), tnn.BatchNorm2d(cout)]
        self.conv = tnn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.conv(x)
        return x + y if self.residual else y


class MobileNetV2(tnn.Module):
    """torchvision's MobileNetV2 layout (width multiplier 1, no dropout), as
    arch.MobileNetV2 builds it."""

    STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
              (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, labels, mult=1.0):
        super().__init__()
        cin = make_divisible(32 * mult)
        feats = [conv_bn_relu6(3, cin, 3, 2, 1)]
        for t, c, n, s in self.STAGES:
            cout = make_divisible(c * mult)
            for i in range(n):
                feats.append(InvertedResidual(cin, cout, s if i == 0 else 1, t))
                cin = cout
        last = make_divisible(1280 * max(1.0, mult))
        feats.append(conv_bn_relu6(cin, last, 1, 1, 1))
        self.features = tnn.Sequential(*feats)
        self.classifier = tnn.Linear(last, labels)

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))


def to_mlabel(name, t):
    """Maps a PyTorch parameter to mlabel's name and layout."""
    a = t.detach().numpy().copy()
    base, leaf = name.rsplit(".", 1)
    if a.ndim == 4:  # OIHW -> HWIO
        return name, a.transpose(2, 3, 1, 0)
    if a.ndim == 2:  # Linear [Out, In] -> [In, Out]
        return name, a.T
    if base.endswith(("bn", "bn1", "bn2", "downsample.1")):
        leaf = {"weight": "gamma", "bias": "beta"}.get(leaf, leaf)
    return base + "." + leaf, a


def nhwc(t):
    return t.detach().numpy().transpose(0, 2, 3, 1).copy()


def golden(name, model, size, batch, labels, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, tnn.BatchNorm2d):
                c = mod.num_features
                mod.weight.copy_(1 + 0.2 * torch.randn(c, generator=g))
                mod.bias.copy_(0.1 * torch.randn(c, generator=g))
                mod.running_mean.copy_(0.1 * torch.randn(c, generator=g))
                mod.running_var.copy_(0.5 + torch.rand(c, generator=g))
    x = torch.randn(batch, 3, size, size, generator=g)
    target = (torch.rand(batch, labels, generator=g) < 0.5).float()
    out = {"x": nhwc(x), "target": target.numpy()}
    for n, t in list(model.named_parameters()) + list(model.named_buffers()):
        if not n.endswith("num_batches_tracked"):
            k, v = to_mlabel(n, t)
            out["w/" + k] = v
    model.eval()
    with torch.no_grad():
        out["eval_logits"] = model(x).numpy()
    model.train()
    logits = model(x)
    F.binary_cross_entropy_with_logits(logits, target).backward()
    out["train_logits"] = logits.detach().numpy()
    for n, t in model.named_parameters():
        k, _ = to_mlabel(n, t)
        out["g/" + k] = to_mlabel(n, t.grad)[1]
    for n, t in model.named_buffers():
        if not n.endswith("num_batches_tracked"):
            k, v = to_mlabel(n, t)
            out["after/" + k] = v
    path = os.path.join(OUT, name + ".bin")
    write_blob(path, out)
    print(path, os.path.getsize(path), "bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(1)
    golden("small_w8_32px", Small(8, 5), 32, 2, 5, 11)
    torch.manual_seed(2)
    golden("resnet18_w8_64px", ResNet([2, 2, 2, 2], 8, 5), 64, 2, 5, 12)


if __name__ == "__main__":
    main()
