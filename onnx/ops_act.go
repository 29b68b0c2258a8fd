package onnx

import (
	"fmt"
	"math"
	"slices"

	"mlabel/nn"
)

// unary emits an elementwise engine op on the first input. A flatten in NHWC
// order stays pending, since the op does not mix features, and so does a
// padding that the op maps to itself (ReLU of a non-negative pad value).
func unary(b *builder, c *call, op nn.Op, at nn.Attrs) ([]*value, error) {
	x := c.input(0)
	if x == nil || x.k != nil {
		return nil, fmt.Errorf("the input must be computed by the graph")
	}
	if x.padded && !(op == nn.OpReLU && x.padVal >= 0) {
		var err error
		if x, err = b.settle(x, c.base); err != nil {
			return nil, err
		}
	}
	out := *x
	out.node = b.emit(c.base, op, at, x.node)
	return []*value{&out}, nil
}

// alias returns the first input unchanged.
func alias(_ *builder, c *call) ([]*value, error) {
	if c.input(0) == nil {
		return nil, fmt.Errorf("missing input")
	}
	return []*value{c.input(0)}, nil
}

func reluOp(b *builder, c *call) ([]*value, error) { return unary(b, c, nn.OpReLU, nn.Attrs{}) }

func sigmoidOp(b *builder, c *call) ([]*value, error) { return unary(b, c, nn.OpSigmoid, nn.Attrs{}) }

func hardSwishOp(b *builder, c *call) ([]*value, error) {
	return unary(b, c, nn.OpHardSwish, nn.Attrs{})
}

func leakyReluOp(b *builder, c *call) ([]*value, error) {
	alpha := c.a.float("alpha", 0.01)
	if alpha == 0 {
		return unary(b, c, nn.OpReLU, nn.Attrs{})
	}
	return unary(b, c, nn.OpLeakyReLU, nn.Attrs{Alpha: alpha})
}

func hardSigmoidOp(b *builder, c *call) ([]*value, error) {
	alpha, beta := c.a.float("alpha", 0.2), c.a.float("beta", 0.5)
	if alpha == 0 || beta == 0 {
		return nil, fmt.Errorf("alpha %g, beta %g: a zero coefficient is not supported", alpha, beta)
	}
	return unary(b, c, nn.OpHardSigmoid, nn.Attrs{Alpha: alpha, Beta: beta})
}

// clipOp maps Clip to ReLU6 or ReLU when the bounds allow, and otherwise to
// ReLU or ReLU6 between two per-channel affine maps.
func clipOp(b *builder, c *call) ([]*value, error) {
	lo, hi := math.Inf(-1), math.Inf(1)
	if b.opset < 11 {
		lo, hi = c.a.float("min", lo), c.a.float("max", hi)
	} else {
		for i, p := range []*float64{&lo, &hi} {
			if c.input(i+1) == nil {
				continue
			}
			k, err := c.konstInput(i+1, "bound")
			if err != nil {
				return nil, err
			}
			v, ok := k.scalar()
			if !ok {
				return nil, fmt.Errorf("bound of shape %v is not a scalar", k.dims)
			}
			*p = v
		}
	}
	if x := c.input(0); lo < 0 && x != nil && b.nonNegative(x) {
		lo = 0 // as in Relu then Clip(max=6), PyTorch's ReLU6 at opsets before 11
	}
	switch {
	case lo == 0 && hi == 6:
		return unary(b, c, nn.OpReLU6, nn.Attrs{})
	case lo == 0 && math.IsInf(hi, 1):
		return unary(b, c, nn.OpReLU, nn.Attrs{})
	case math.IsInf(lo, -1) && math.IsInf(hi, 1):
		return alias(b, c)
	case hi < lo:
		return nil, fmt.Errorf("min %g above max %g", lo, hi)
	case math.IsInf(hi, 1): // lo + relu(x - lo)
		return affineAround(b, c, nn.OpReLU, 1, -lo, 1, lo)
	case math.IsInf(lo, -1): // hi - relu(hi - x)
		return affineAround(b, c, nn.OpReLU, -1, hi, -1, hi)
	case hi == lo:
		return nil, fmt.Errorf("min equals max (%g): a constant output is not supported", lo)
	}
	s := 6 / (hi - lo) // lo + relu6((x - lo) * s) / s
	return affineAround(b, c, nn.OpReLU6, s, -lo*s, 1/s, lo)
}

// affineAround emits y = op(x*s1 + t1)*s2 + t2 with scalar coefficients.
func affineAround(b *builder, c *call, op nn.Op, s1, t1, s2, t2 float64) ([]*value, error) {
	x, err := b.dynamic(c, 0)
	if err != nil {
		return nil, err
	}
	pre := b.scaleShift(c.base+"_pre", x, s1, t1)
	out := &value{node: b.emit(c.base, op, nn.Attrs{}, pre.node), shape: x.shape, lay: x.lay}
	return []*value{b.scaleShift(c.base+"_post", out, s2, t2)}, nil
}

// scaleShift emits y = x*s + t with the same scalars on every channel.
func (b *builder) scaleShift(base string, x *value, s, t float64) *value {
	n := x.channels()
	return b.scaleShiftVec(base, x, fillVec(n, s), fillVec(n, t))
}

// scaleShiftVec emits y = x*scale + shift with per-channel vectors.
func (b *builder) scaleShiftVec(base string, x *value, scale, shift []float32) *value {
	name := b.emit(base, nn.OpScaleShift, nn.Attrs{}, x.node)
	b.param(name, "scale", scale, len(scale))
	b.param(name, "shift", shift, len(shift))
	return &value{node: name, shape: x.shape, lay: x.lay}
}

func fillVec(n int, v float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(v)
	}
	return out
}

// softmaxOp drops a final Softmax when Options.StripSoftmax is set.
func softmaxOp(b *builder, c *call) ([]*value, error) {
	c.a.int("axis", 0)
	out := c.n.GetOutput()[0]
	if !b.opt.StripSoftmax || !b.outSet[out] || b.uses[out] != 1 {
		return nil, fmt.Errorf("the engine has no softmax (mlabel heads use sigmoid); only a Softmax producing a graph output can be dropped, with Options.StripSoftmax")
	}
	return alias(b, c)
}

func dropoutOp(b *builder, c *call) ([]*value, error) {
	rate := 0.5
	switch {
	case b.opset < 7:
		c.a.ignore("is_test")
		rate = c.a.float("ratio", rate)
	case b.opset < 12:
		rate = c.a.float("ratio", rate)
	default:
		c.a.ignore("seed") // randomness only matters in training, where the engine draws its own
		if c.input(1) != nil {
			k, err := c.konstInput(1, "ratio")
			if err != nil {
				return nil, err
			}
			rate, _ = k.scalar()
		}
		if c.input(2) != nil {
			k, err := c.konstInput(2, "training_mode")
			if err != nil {
				return nil, err
			}
			if t, _ := k.scalar(); t != 0 {
				return nil, fmt.Errorf("training_mode=true is not supported")
			}
		}
	}
	if rate == 0 {
		return alias(b, c)
	}
	return unary(b, c, nn.OpDropout, nn.Attrs{Rate: rate})
}

// batchNormOp maps inference-mode BatchNormalization: a batch-norm layer on
// 4-D inputs, and a folded per-feature scale and shift on [N, C] inputs.
func batchNormOp(b *builder, c *call) ([]*value, error) {
	eps := c.a.float("epsilon", 1e-5)
	momentum := c.a.float("momentum", 0.9)
	if b.opset < 9 {
		if c.a.int("spatial", 1) != 1 {
			return nil, fmt.Errorf("spatial=0 is not supported")
		}
		c.a.ignore("is_test", "consumed_inputs")
	}
	if c.a.int("training_mode", 0) != 0 {
		return nil, fmt.Errorf("training_mode=1 is not supported")
	}
	x, err := b.dynamic(c, 0)
	if err != nil {
		return nil, err
	}
	if len(x.shape) < 2 {
		return nil, fmt.Errorf("input of shape %v has no channel axis", x.shape)
	}
	var p [4][]float32
	for i, what := range []string{"scale", "bias", "mean", "var"} {
		k, err := c.konstInput(i+1, what)
		if err != nil {
			return nil, err
		}
		if k.size() != x.shape[1] {
			return nil, fmt.Errorf("%s has %d values for %d channels", what, k.size(), x.shape[1])
		}
		p[i] = k.float32s()
	}
	switch {
	case x.lay == layNHWC:
		name := b.emit(c.base, nn.OpBatchNorm, nn.Attrs{Eps: eps, Momentum: 1 - momentum}, x.node)
		for i, pn := range []string{"gamma", "beta", "running_mean", "running_var"} {
			b.param(name, pn, p[i], len(p[i]))
		}
		return []*value{{node: name, shape: x.shape, lay: layNHWC}}, nil
	case x.channelAxis() == 1:
		scale, shift := make([]float32, len(p[0])), make([]float32, len(p[0]))
		for i := range scale {
			s := float64(p[0][i]) / math.Sqrt(float64(p[3][i])+eps)
			scale[i], shift[i] = float32(s), float32(float64(p[1][i])-float64(p[2][i])*s)
		}
		return []*value{b.scaleShiftVec(c.base, x, scale, shift)}, nil
	}
	return nil, fmt.Errorf("input of shape %v is not supported", x.shape)
}

// nonNegative reports whether the engine node computing v only outputs
// values >= 0.
func (b *builder) nonNegative(v *value) bool {
	if v.k != nil || v.padded && v.padVal < 0 {
		return false
	}
	i := b.specNode(v.node)
	return i >= 0 && slices.Contains([]nn.Op{nn.OpReLU, nn.OpReLU6, nn.OpSigmoid, nn.OpHardSigmoid}, b.spec.Nodes[i].Op)
}
