"""Exports a tiny CNN from PyTorch to ONNX with reference inputs and outputs.

Run with a Python that has torch and numpy, from this directory:

    python3 tinycnn.py

It writes tinycnn.onnx (opset 13), tinycnn_opset9.onnx, tinycnn_input.npy (NCHW float32) and
tinycnn_output.npy, which the Go tests import and compare against.
"""
import numpy as np
import torch
from torch import nn


class TinyCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.5, 0.4, 0.3]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.2, 0.25, 0.3]).view(1, 3, 1, 1))
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.pad = nn.ZeroPad2d((1, 0, 1, 0))
        self.dw = nn.Conv2d(8, 8, 3, stride=2, groups=8)
        self.pw = nn.Conv2d(8, 8, 1)
        self.bn2 = nn.BatchNorm2d(8)
        self.side = nn.Conv2d(8, 4, 1)
        self.avg = nn.AvgPool2d(2, ceil_mode=True)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(12 * 2 * 2, 5)

    def forward(self, x):
        x = (x - self.mean) / self.std
        x = self.bn1(self.pool(torch.relu(self.conv1(x))))  # not fused into conv1
        y = nn.functional.relu6(self.dw(self.pad(x)))
        y = nn.functional.hardswish(self.bn2(self.pw(y)))
        y = y + nn.functional.leaky_relu(y, 0.1) * torch.sigmoid(y)
        y = torch.cat([y, self.side(y)], dim=1)
        y = self.avg(y)
        y = y.view(y.size(0), -1)
        return self.fc(self.drop(y))


def main():
    torch.manual_seed(0)
    net = TinyCNN()
    with torch.no_grad():
        for bn in (net.bn1, net.bn2):
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 1.5)
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.2, 0.2)
    net.eval()
    x = torch.rand(2, 3, 16, 16)
    with torch.no_grad():
        y = net(x)
    # Without constant folding the exporter keeps its own shape computations,
    # which the importer then folds. Opset 9 writes Clip, Pad and Unsqueeze
    # with attributes, opset 13 with inputs.
    for opset, name in ((13, "tinycnn.onnx"), (9, "tinycnn_opset9.onnx")):
        torch.onnx.export(net, x, name, opset_version=opset, do_constant_folding=False,
                          input_names=["image"], output_names=["logits"],
                          dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    np.save("tinycnn_input.npy", x.numpy().astype(np.float32))
    np.save("tinycnn_output.npy", y.numpy().astype(np.float32))


if __name__ == "__main__":
    main()
