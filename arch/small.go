package arch

import (
	"fmt"

	"mlabel/nn"
)

// SmallWidths are the channels of the small network's four blocks.
var SmallWidths = []int{32, 64, 128, 256}

// Small returns the small CNN: four blocks of [3×3 conv without bias, batch
// norm, ReLU, 2×2 max pool] with SmallWidths channels, then global average
// pooling and a dense layer to numLabels logits. Nodes are named
// "block1.conv", "block1.bn", "block1.relu", "block1.pool", ..., "gap", "fc".
func Small(size, channels, numLabels int, opt Options) *nn.Spec {
	b := newBuilder(size, channels)
	for i, w := range SmallWidths {
		p := fmt.Sprintf("block%d.", i+1)
		b.conv(p+"conv", w, 3, 1, 1)
		b.add(p+"bn", nn.OpBatchNorm, nn.Attrs{})
		b.add(p+"relu", nn.OpReLU, nn.Attrs{})
		b.add(p+"pool", nn.OpMaxPool, nn.Attrs{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}})
	}
	return b.classifier("gap", "dropout", "fc", numLabels, opt.Dropout)
}
