package arch

import (
	"fmt"
	"math"

	"mlabel/nn"
)

func init() {
	Register("mobilenetv2", func(size, channels, numLabels int, opt Options) (*nn.Spec, error) {
		return MobileNetV2(size, channels, numLabels, opt), nil
	})
}

// mobileNetV2Stages are torchvision's inverted-residual settings: expansion
// t, channels c, repeats n, first stride s.
var mobileNetV2Stages = [][4]int{
	{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
	{6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
}

// MobileNetV2 returns MobileNetV2 in torchvision's layout with width
// multiplier opt.WidthMult (default 1): a 3×3/2 stem "features.0", 17
// inverted-residual blocks "features.1" to "features.17" (1×1 expansion,
// 3×3 depthwise and 1×1 projection convolutions, batch norm, ReLU6; blocks
// that keep stride 1 and width add their input in the node named after the
// block), the 1×1 "features.18" to 1280 channels (more when the multiplier
// exceeds 1), global average pooling "avgpool", optional dropout
// "classifier.0" and the dense layer "classifier.1".
func MobileNetV2(size, channels, numLabels int, opt Options) *nn.Spec {
	mult := opt.WidthMult
	if mult == 0 {
		mult = 1
	}
	b := newBuilder(size, channels)
	in := makeDivisible(32*mult, 8)
	convBNReLU6(b, "features.0", in, 3, 2, 1)
	idx := 1
	for _, st := range mobileNetV2Stages {
		out := makeDivisible(float64(st[1])*mult, 8)
		for i := 0; i < st[2]; i++ {
			stride := 1
			if i == 0 {
				stride = st[3]
			}
			invertedResidual(b, fmt.Sprintf("features.%d", idx), in, out, stride, st[0])
			in = out
			idx++
		}
	}
	convBNReLU6(b, fmt.Sprintf("features.%d", idx), makeDivisible(1280*math.Max(1, mult), 8), 1, 1, 1)
	return b.classifier("avgpool", "classifier.0", "classifier.1", numLabels, opt.Dropout)
}

// convBNReLU6 appends torchvision's Conv2dNormActivation: name.0 conv,
// name.1 batch norm, name.2 ReLU6.
func convBNReLU6(b *builder, name string, filters, k, stride, groups int) {
	b.conv(name+".0", filters, k, stride, groups)
	b.add(name+".1", nn.OpBatchNorm, nn.Attrs{})
	b.add(name+".2", nn.OpReLU6, nn.Attrs{})
}

// invertedResidual appends one MobileNetV2 block.
func invertedResidual(b *builder, name string, in, out, stride, expand int) {
	x := b.last
	hidden := int(math.Round(float64(in * expand)))
	k := 0
	if expand != 1 {
		convBNReLU6(b, fmt.Sprintf("%s.conv.%d", name, k), hidden, 1, 1, 1)
		k++
	}
	convBNReLU6(b, fmt.Sprintf("%s.conv.%d", name, k), hidden, 3, stride, hidden)
	b.conv(fmt.Sprintf("%s.conv.%d", name, k+1), out, 1, 1, 1)
	last := b.add(fmt.Sprintf("%s.conv.%d", name, k+2), nn.OpBatchNorm, nn.Attrs{})
	if stride == 1 && in == out {
		b.add(name, nn.OpAdd, nn.Attrs{}, last, x)
	}
}

// makeDivisible rounds v to the nearest multiple of d, at least d, and not
// below 90% of v, as torchvision does.
func makeDivisible(v float64, d int) int {
	n := max(d, int(v+float64(d)/2)/d*d)
	if float64(n) < 0.9*v {
		n += d
	}
	return n
}
