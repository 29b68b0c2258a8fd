package nn

import (
	"fmt"
	"math/rand/v2"

	"mlabel/tensor"
)

// opInfo is everything the engine knows about one op: how many inputs a
// node takes, how its layer is built, which parameters it declares, what a
// forward pass costs and how Fuse treats it. Adding an op means adding its
// constant in spec.go and one entry in ops.
type opInfo struct {
	// minIn and maxIn bound the number of inputs; maxIn -1 is unbounded.
	minIn, maxIn int
	// build makes the layer of node for inputs of the given shapes. It is
	// nil for the input node, which has no layer.
	build func(b *builder, node Node, in [][]int) (layer, error)
	// params lists the parameters build will allocate for one input of
	// shape in (with the batch axis), without allocating them, so that
	// declared sizes are checked first; nil: none.
	params func(node Node, in []int) []paramDecl
	// flops counts the floating-point operations of a forward pass (two per
	// multiply-add) from the input and output shapes; nil: none counted.
	flops func(node Node, in [][]int, out []int) int64

	// Fusion rules (see Fuse).
	//
	// evalIdentity: the node does nothing in eval mode and is removed.
	evalIdentity bool
	// foldInto and fold: the node folds into a single producer of op
	// foldInto, rewriting the producer and the weights.
	foldInto Op
	fold     func(producer *Node, node Node, w map[string]*tensor.Tensor) error
	// fusesAsAct: the node is an activation that becomes the Act of a
	// producer whose op has takesAct; actAttrs, when set, copies the
	// attributes the activation needs to the producer.
	fusesAsAct bool
	actAttrs   func(dst *Attrs, src Attrs)
	// takesAct: the op applies an optional fused activation (Attrs.Act).
	takesAct bool
}

// ops is the op table.
var ops = map[Op]opInfo{
	OpInput: {minIn: 0, maxIn: 0},
	OpConv2D: {minIn: 1, maxIn: 1, takesAct: true,
		build: func(b *builder, n Node, in [][]int) (layer, error) { return newConv2D(b, n.Name, n.Attrs, in) },
		params: func(n Node, in []int) []paramDecl {
			a, c, g := n.Attrs, in[len(in)-1], max(n.Attrs.Groups, 1)
			if len(in) != 4 || c%g != 0 {
				return nil
			}
			return withBias(n, decl(n, "weight", a.Kernel[0], a.Kernel[1], c/g, a.Filters), a.Filters)
		},
		flops: func(n Node, in [][]int, out []int) int64 {
			c := in[0][len(in[0])-1] / max(n.Attrs.Groups, 1)
			k := int64(n.Attrs.Kernel[0]) * int64(n.Attrs.Kernel[1]) * int64(c)
			return 2 * k * int64(tensor.Size(out))
		},
	},
	OpDense: {minIn: 1, maxIn: 1, takesAct: true,
		build: func(b *builder, n Node, in [][]int) (layer, error) { return newDense(b, n.Name, n.Attrs, in) },
		params: func(n Node, in []int) []paramDecl {
			if len(in) < 2 {
				return nil
			}
			f, ok := checkedSize(in[1:], MaxParams)
			if !ok {
				f = MaxParams + 1 // refused as over the limit
			}
			return withBias(n, decl(n, "weight", f, n.Attrs.Units), n.Attrs.Units)
		},
		flops: func(n Node, in [][]int, out []int) int64 {
			return 2 * int64(in[0][len(in[0])-1]) * int64(tensor.Size(out))
		},
	},
	OpBatchNorm: {minIn: 1, maxIn: 1, foldInto: OpConv2D, fold: foldBatchNorm,
		build: func(b *builder, n Node, in [][]int) (layer, error) { return newBatchNorm(b, n.Name, n.Attrs, in) },
		params: func(n Node, in []int) []paramDecl {
			c := in[len(in)-1]
			return []paramDecl{decl(n, "gamma", c), decl(n, "beta", c), decl(n, "running_mean", c), decl(n, "running_var", c)}
		},
	},
	OpReLU:          activationOp(true),
	OpLeakyReLU:     leakyReLUOp(),
	OpReLU6:         activationOp(true),
	OpSiLU:          activationOp(false),
	OpHardSigmoid:   activationOp(false),
	OpHardSwish:     activationOp(false),
	OpSigmoid:       activationOp(false),
	OpMaxPool:       {minIn: 1, maxIn: 1, build: buildPool2D},
	OpAvgPool:       {minIn: 1, maxIn: 1, build: buildPool2D},
	OpGlobalAvgPool: {minIn: 1, maxIn: 1, build: fixed(func() layer { return &globalPoolLayer{} })},
	OpGlobalMaxPool: {minIn: 1, maxIn: 1, build: fixed(func() layer { return &globalPoolLayer{max: true} })},
	OpDropout: {minIn: 1, maxIn: 1, evalIdentity: true,
		build: func(b *builder, n Node, _ [][]int) (layer, error) { return newDropout(n.Attrs, b.rng) },
	},
	OpAdd: {minIn: 2, maxIn: -1, takesAct: true,
		build: func(_ *builder, n Node, _ [][]int) (layer, error) {
			act, err := newActFunc(n.Attrs.Act, n.Attrs)
			if err != nil {
				return nil, err
			}
			return &addLayer{epi: biasAct{act: act}}, nil
		},
	},
	OpMul:    {minIn: 2, maxIn: 2, build: fixed(func() layer { return &mulLayer{} })},
	OpConcat: {minIn: 1, maxIn: -1, build: fixed(func() layer { return &concatLayer{} })},
	OpUpsample: {minIn: 1, maxIn: 1,
		build: func(_ *builder, n Node, _ [][]int) (layer, error) {
			s := n.Attrs.Scale
			if s == 0 {
				s = 2
			}
			if s < 1 {
				return nil, fmt.Errorf("upsample scale %d < 1", s)
			}
			return &upsampleLayer{scale: s}, nil
		},
	},
	OpFlatten: {minIn: 1, maxIn: 1, build: fixed(func() layer { return &flattenLayer{} })},
	OpGroupSoftmax: {minIn: 1, maxIn: 1,
		build: func(_ *builder, n Node, _ [][]int) (layer, error) { return newGroupSoftmax(n.Attrs) },
	},
	OpConvTranspose: convTransposeOp(),
	OpScaleShift: {minIn: 1, maxIn: 1,
		build: func(b *builder, n Node, in [][]int) (layer, error) { return newScaleShift(b, n.Name, in) },
		params: func(n Node, in []int) []paramDecl {
			c := in[len(in)-1]
			return []paramDecl{decl(n, "scale", c), decl(n, "shift", c)}
		},
	},
}

// activationOp is the entry of an elementwise activation; fuses tells
// whether Fuse folds it into its producer.
func activationOp(fuses bool) opInfo {
	return opInfo{minIn: 1, maxIn: 1, fusesAsAct: fuses,
		build: func(_ *builder, n Node, _ [][]int) (layer, error) {
			act, err := newActFunc(n.Op, n.Attrs)
			if err != nil {
				return nil, err
			}
			return &activationLayer{act: act}, nil
		},
	}
}

// leakyReLUOp is the LeakyReLU entry: its slope goes with it when it fuses.
func leakyReLUOp() opInfo {
	o := activationOp(true)
	o.actAttrs = func(dst *Attrs, src Attrs) { dst.Alpha = src.Alpha }
	return o
}

func buildPool2D(_ *builder, n Node, _ [][]int) (layer, error) { return newPool2D(n.Op, n.Attrs) }

// fixed is the build function of an op without attributes or parameters.
func fixed(mk func() layer) func(*builder, Node, [][]int) (layer, error) {
	return func(*builder, Node, [][]int) (layer, error) { return mk(), nil }
}

// decl declares the parameter "<node>.<suffix>" of the given shape.
func decl(n Node, suffix string, shape ...int) paramDecl {
	return paramDecl{name: n.Name + "." + suffix, shape: shape}
}

// withBias returns w and, when the node has a bias, its bias of the given
// length.
func withBias(n Node, w paramDecl, length int) []paramDecl {
	if n.Attrs.Bias {
		return []paramDecl{w, decl(n, "bias", length)}
	}
	return []paramDecl{w}
}

// knownOp reports whether op is an operation the engine implements.
func knownOp(op Op) bool {
	_, ok := ops[op]
	return ok
}

// builder carries what the layer constructors need: the random source for
// initial weights and, for a workspace, the parameters to share instead of
// allocating new ones.
type builder struct {
	rng    *rand.Rand
	shared map[string]*Param
}

// newLayer builds the layer of node for inputs of the given shapes (batch
// dimension included), with parameters initialised as PyTorch does by
// default: conv2d and dense weights and biases uniform in ±1/√fan_in,
// batch-norm gamma 1, beta 0, running mean 0 and running variance 1,
// scale_shift scale 1 and shift 0. rng draws the initial weights and seeds
// dropout; nil stands for a fixed seed. Every op except input is supported.
func newLayer(node Node, inShapes [][]int, rng *rand.Rand) (layer, error) {
	return (&builder{rng: rng}).layer(node, inShapes)
}

// layer builds the layer of node from the op table.
func (b *builder) layer(node Node, inShapes [][]int) (layer, error) {
	if b.rng == nil {
		b.rng = rand.New(rand.NewPCG(0, 0))
	}
	info, ok := ops[node.Op]
	var (
		l   layer
		err error
	)
	switch {
	case !ok:
		err = fmt.Errorf("unknown op")
	case info.build == nil:
		err = fmt.Errorf("%s nodes have no layer", node.Op)
	default:
		l, err = info.build(b, node, inShapes)
	}
	if err == nil {
		_, err = l.OutShape(inShapes)
	}
	if err != nil {
		return nil, fmt.Errorf("node %q (%s): %w", node.Name, node.Op, err)
	}
	return l, nil
}

// param returns the parameter named "<node>.<suffix>" of the given shape:
// the shared one of that name and shape, borrowed, when there is one, or a
// new zero tensor, with a gradient unless buffer is true.
func (b *builder) param(node, suffix string, buffer, noDecay bool, shape ...int) *Param {
	name := node + "." + suffix
	if s, ok := b.shared[name]; ok && tensor.SameShape(s.Value.Shape, shape) {
		return &Param{Name: name, Value: s.Value, NoDecay: noDecay, borrowed: true}
	}
	p := &Param{Name: name, Value: tensor.New(shape...), NoDecay: noDecay}
	if !buffer {
		p.Grad = tensor.New(shape...)
	}
	return p
}
