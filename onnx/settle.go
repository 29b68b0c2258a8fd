package onnx

import (
	"fmt"

	"mlabel/nn"
)

// maxPermute bounds the features of a flattened tensor whose order is
// restored with a permutation matrix.
const maxPermute = 4096

// settle returns v with nothing pending: a pending padding becomes an
// identity depthwise convolution that zero-pads (between shifts by the pad
// value when it is not zero), and a flatten in NHWC order is reordered into
// ONNX's C, H, W order by a permutation matrix.
func (b *builder) settle(v *value, base string) (*value, error) {
	switch {
	case v.padded:
		c := v.shape[1]
		in := &value{node: v.node, shape: v.shape, lay: layNHWC}
		if v.padVal != 0 {
			in = b.scaleShift(base+"_unshift", in, 1, -v.padVal)
		}
		name := b.emit(base+"_pad", nn.OpConv2D, nn.Attrs{
			Filters: c, Kernel: [2]int{1, 1}, Stride: [2]int{1, 1}, Pad: v.pad, Dilation: [2]int{1, 1}, Groups: c,
		}, in.node)
		b.param(name, "weight", fillVec(c, 1), 1, 1, 1, c)
		out := &value{node: name, shape: v.shape, lay: layNHWC}
		if v.padVal != 0 {
			out = b.scaleShift(base+"_shift", out, 1, v.padVal)
		}
		return out, nil
	case v.lay == layFlatHWC:
		f := v.shape[1]
		if f > maxPermute {
			return nil, fmt.Errorf("flattened %v feature map (%d features) needs reordering to C,H,W order, and only a Gemm or MatMul can absorb that", v.chw, f)
		}
		w := make([]float32, f*f)
		for in, out := range hwcToCHW(v.chw) {
			w[in*f+out] = 1
		}
		name := b.emit(base+"_chw", nn.OpDense, nn.Attrs{Units: f}, v.node)
		b.param(name, "weight", w, f, f)
		return &value{node: name, shape: v.shape, lay: layRaw}, nil
	}
	return v, nil
}

// hwcToCHW maps each feature index of an H,W,C flatten to its index in a
// C,H,W flatten.
func hwcToCHW(chw [3]int) []int {
	c, h, w := chw[0], chw[1], chw[2]
	out := make([]int, c*h*w)
	for y := range h {
		for x := range w {
			for ch := range c {
				out[(y*w+x)*c+ch] = (ch*h+y)*w + x
			}
		}
	}
	return out
}

// dynamic returns input i settled, which must be computed by the engine.
func (b *builder) dynamic(c *call, i int) (*value, error) {
	v := c.input(i)
	if v == nil {
		return nil, fmt.Errorf("missing input %d", i)
	}
	if v.k != nil {
		return nil, fmt.Errorf("input %q is a constant; the engine needs it computed from the graph input", c.n.GetInput()[i])
	}
	return b.settle(v, c.base)
}
