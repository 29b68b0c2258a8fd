package arch

import (
	"fmt"

	"mlabel/nn"
)

func init() {
	Register("resnet18", func(size, channels, numLabels int, opt Options) (*nn.Spec, error) {
		return ResNet([]int{2, 2, 2, 2}, size, channels, numLabels, opt), nil
	})
	Register("resnet34", func(size, channels, numLabels int, opt Options) (*nn.Spec, error) {
		return ResNet([]int{3, 4, 6, 3}, size, channels, numLabels, opt), nil
	})
}

// ResNet returns a ResNet of BasicBlocks in torchvision's layout with
// blocks[i] blocks in stage i+1: a 7×7/2 stem convolution, batch norm, ReLU
// and 3×3/2 max pooling, four stages of widths w, 2w, 4w, 8w (w =
// opt.Width, 64 by default; stages 2 to 4 start with stride 2), global
// average pooling "avgpool" and the dense layer "fc". [2,2,2,2] is
// ResNet-18 and [3,4,6,3] ResNet-34.
//
// Each block's residual sum, with its fused ReLU, is the node named after
// the block ("layer1.0"); a block whose stride or width changes has a 1×1
// convolution and batch norm shortcut, "layerS.B.downsample.0" and ".1".
func ResNet(blocks []int, size, channels, numLabels int, opt Options) *nn.Spec {
	w := opt.Width
	if w == 0 {
		w = 64
	}
	b := newBuilder(size, channels)
	b.conv("conv1", w, 7, 2, 1)
	b.add("bn1", nn.OpBatchNorm, nn.Attrs{})
	b.add("relu", nn.OpReLU, nn.Attrs{})
	b.add("maxpool", nn.OpMaxPool, nn.Attrs{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Pad: [4]int{1, 1, 1, 1}})
	in := w
	for stage, n := range blocks {
		width := w << stage
		for i := 0; i < n; i++ {
			stride := 1
			if stage > 0 && i == 0 {
				stride = 2
			}
			basicBlock(b, fmt.Sprintf("layer%d.%d", stage+1, i), in, width, stride)
			in = width
		}
	}
	return b.classifier("avgpool", "dropout", "fc", numLabels, opt.Dropout)
}

// basicBlock appends conv3×3-BN-ReLU-conv3×3-BN plus the shortcut, summed
// with a fused ReLU in the node called name.
func basicBlock(b *builder, name string, in, out, stride int) {
	x := b.last
	b.conv(name+".conv1", out, 3, stride, 1)
	b.add(name+".bn1", nn.OpBatchNorm, nn.Attrs{})
	b.add(name+".relu", nn.OpReLU, nn.Attrs{})
	b.conv(name+".conv2", out, 3, 1, 1)
	main := b.add(name+".bn2", nn.OpBatchNorm, nn.Attrs{})
	short := x
	if stride != 1 || in != out {
		b.last = x
		b.conv(name+".downsample.0", out, 1, stride, 1)
		short = b.add(name+".downsample.1", nn.OpBatchNorm, nn.Attrs{})
	}
	b.add(name, nn.OpAdd, nn.Attrs{Act: nn.OpReLU}, main, short)
}
