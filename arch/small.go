package arch

import (
	"fmt"

	"mlabel/nn"
)

func init() {
	Register("small", func(size, channels, numLabels int, opt Options) (*nn.Spec, error) {
		return Small(size, channels, numLabels, opt), nil
	})
}

// Small returns the small CNN: four blocks of [3×3 conv without bias, batch
// norm, ReLU, 2×2 max pool] with w, 2w, 4w and 8w channels (w = opt.Width,
// 32 by default, which gives 32, 64, 128 and 256), then global average
// pooling and a dense layer to numLabels logits. Nodes are named
// "block1.conv", "block1.bn", "block1.relu", "block1.pool", ..., "gap", "fc".
func Small(size, channels, numLabels int, opt Options) *nn.Spec {
	w := opt.Width
	if w == 0 {
		w = 32
	}
	b := newBuilder(size, channels)
	for i := range 4 {
		p := fmt.Sprintf("block%d.", i+1)
		b.conv(p+"conv", w<<i, 3, 1, 1)
		b.add(p+"bn", nn.OpBatchNorm, nn.Attrs{})
		b.add(p+"relu", nn.OpReLU, nn.Attrs{})
		b.add(p+"pool", nn.OpMaxPool, nn.Attrs{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}})
	}
	return b.classifier("gap", "dropout", "fc", numLabels, opt.Dropout)
}
