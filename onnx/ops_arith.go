package onnx

import (
	"fmt"
	"math"
	"slices"

	"mlabel/nn"
)

// arith names the four elementwise arithmetic operators.
type arith int

const (
	opAdd arith = iota
	opSub
	opMul
	opDiv
)

func (o arith) apply(x, y float64) float64 {
	switch o {
	case opAdd:
		return x + y
	case opSub:
		return x - y
	case opMul:
		return x * y
	}
	return x / y
}

func addOp(b *builder, c *call) ([]*value, error) { return arithOp(b, c, opAdd) }
func subOp(b *builder, c *call) ([]*value, error) { return arithOp(b, c, opSub) }
func mulOp(b *builder, c *call) ([]*value, error) { return arithOp(b, c, opMul) }
func divOp(b *builder, c *call) ([]*value, error) { return arithOp(b, c, opDiv) }

// arithOp maps Add, Sub, Mul and Div: folded when both operands are
// constants, a per-channel scale and shift when one is, and an engine add or
// mul when both are computed.
func arithOp(b *builder, c *call, op arith) ([]*value, error) {
	if b.opset < 7 {
		c.a.ignore("broadcast", "axis", "consumed_inputs")
	}
	x, y := c.input(0), c.input(1)
	if x == nil || y == nil {
		return nil, fmt.Errorf("needs two inputs")
	}
	switch {
	case x.k != nil && y.k != nil:
		if (x.k.isInt && slices.Contains(x.k.data, batchDim)) || (y.k.isInt && slices.Contains(y.k.data, batchDim)) {
			return nil, fmt.Errorf("shape arithmetic on the symbolic batch size is not supported")
		}
		k, err := binaryKonst(x.k, y.k, op.apply)
		if err != nil {
			return nil, err
		}
		return []*value{{k: k}}, nil
	case y.k != nil:
		return byConstant(b, c, 0, y.k, op, false)
	case x.k != nil:
		return byConstant(b, c, 1, x.k, op, true)
	}
	return twoTensors(b, c, op)
}

// byConstant maps x op k (or k op x when swapped), where x is input xi, for
// a constant k that is a scalar or varies only along x's channel axis. An
// Add right after a MatMul becomes the dense layer's bias.
func byConstant(b *builder, c *call, xi int, k *konst, op arith, swapped bool) ([]*value, error) {
	x, err := b.dynamic(c, xi)
	if err != nil {
		return nil, err
	}
	vec, err := channelVector(x, k)
	if err != nil {
		return nil, err
	}
	if op == opAdd && b.fuseBias(x, vec, b.uses[c.n.GetInput()[xi]] == 1) {
		return []*value{{node: x.node, shape: x.shape, lay: x.lay}}, nil
	}
	n := len(vec)
	scale, shift := fillVec(n, 1), fillVec(n, 0)
	for i, v := range vec {
		switch {
		case op == opAdd:
			shift[i] = float32(v)
		case op == opSub && !swapped:
			shift[i] = float32(-v)
		case op == opSub:
			scale[i], shift[i] = -1, float32(v)
		case op == opMul:
			scale[i] = float32(v)
		case op == opDiv && !swapped:
			scale[i] = float32(1 / v)
		default:
			return nil, fmt.Errorf("dividing a constant by a tensor is not supported")
		}
	}
	return []*value{b.scaleShiftVec(c.base, x, scale, shift)}, nil
}

// channelVector expands a constant that broadcasts against x along x's
// channel axis only into one value per channel.
func channelVector(x *value, k *konst) ([]float64, error) {
	shape, err := broadcastShape(x.shape, k.dims)
	ch := x.channelAxis()
	if err != nil || !slices.Equal(shape, x.shape) {
		return nil, fmt.Errorf("constant of shape %v does not broadcast onto %v without changing it", k.dims, x.shape)
	}
	off := len(x.shape) - len(k.dims)
	for i, d := range k.dims {
		if d != 1 && i+off != ch {
			return nil, fmt.Errorf("constant of shape %v varies along axis %d of %v; only per-channel (axis %d) constants are supported", k.dims, i+off, x.shape, ch)
		}
	}
	n := x.channels()
	out := make([]float64, n)
	for i := range out {
		out[i] = k.data[i%len(k.data)]
	}
	return out, nil
}

// twoTensors maps an elementwise op between two computed tensors.
func twoTensors(b *builder, c *call, op arith) ([]*value, error) {
	x, err := b.dynamic(c, 0)
	if err != nil {
		return nil, err
	}
	y, err := b.dynamic(c, 1)
	if err != nil {
		return nil, err
	}
	same := slices.Equal(x.shape, y.shape) && x.lay == y.lay
	if op == opMul && same {
		if v, ok := b.fuseGate(c, x, y); ok {
			return []*value{v}, nil
		}
	}
	switch {
	case op == opMul && x.lay == laySqueezed && y.lay == layNHWC:
		x, y = y, x
		fallthrough
	case op == opMul && (same || x.lay == layNHWC && y.lay == laySqueezed && x.shape[1] == y.shape[1]):
		return []*value{{node: b.emit(c.base, nn.OpMul, nn.Attrs{}, x.node, y.node), shape: x.shape, lay: x.lay}}, nil
	case !same:
		return nil, fmt.Errorf("operands of shapes %v and %v: only equal shapes (or a per-channel Mul) are supported", x.shape, y.shape)
	case op == opAdd:
		return []*value{{node: b.emit(c.base, nn.OpAdd, nn.Attrs{}, x.node, y.node), shape: x.shape, lay: x.lay}}, nil
	case op == opSub:
		neg := b.scaleShift(c.base+"_neg", y, -1, 0)
		return []*value{{node: b.emit(c.base, nn.OpAdd, nn.Attrs{}, x.node, neg.node), shape: x.shape, lay: x.lay}}, nil
	}
	return nil, fmt.Errorf("division of two tensors is not supported")
}

// concatOp folds a concatenation of constants and maps one of computed
// tensors along their channel axis to an engine concat.
func concatOp(b *builder, c *call) ([]*value, error) {
	axis := c.a.int("axis", 1)
	if len(c.in) == 0 || slices.Contains(c.in, nil) {
		return nil, fmt.Errorf("needs inputs")
	}
	if !slices.ContainsFunc(c.in, func(v *value) bool { return v.k == nil }) {
		k, err := concatKonst(c.in, axis)
		if err != nil {
			return nil, err
		}
		return []*value{{k: k}}, nil
	}
	var ins []*value
	for i := range c.in {
		v, err := b.dynamic(c, i)
		if err != nil {
			return nil, err
		}
		ins = append(ins, v)
	}
	first := ins[0]
	ax, err := normAxis(axis, len(first.shape))
	if err != nil {
		return nil, err
	}
	if ax != first.channelAxis() {
		return nil, fmt.Errorf("concatenation along axis %d of %v: only the channel axis %d is supported", axis, first.shape, first.channelAxis())
	}
	shape := slices.Clone(first.shape)
	names := []string{first.node}
	for _, v := range ins[1:] {
		rest, want := slices.Clone(v.shape), slices.Clone(first.shape)
		rest[ax], want[ax] = 0, 0
		if v.lay != first.lay || !slices.Equal(rest, want) {
			return nil, fmt.Errorf("operands of shapes %v and %v do not concatenate", first.shape, v.shape)
		}
		shape[ax] += v.shape[ax]
		names = append(names, v.node)
	}
	return []*value{{node: b.emit(c.base, nn.OpConcat, nn.Attrs{}, names...), shape: shape, lay: first.lay}}, nil
}

// concatKonst concatenates constants along axis.
func concatKonst(in []*value, axis int) (*konst, error) {
	first := in[0].k
	ax, err := normAxis(axis, max(1, len(first.dims)))
	if err != nil {
		return nil, err
	}
	if len(first.dims) == 0 {
		return nil, fmt.Errorf("cannot concatenate scalars")
	}
	dims := slices.Clone(first.dims)
	dims[ax] = 0
	outer := prod(first.dims[:ax])
	for _, v := range in {
		if len(v.k.dims) != len(dims) {
			return nil, fmt.Errorf("operands of ranks %d and %d do not concatenate", len(dims), len(v.k.dims))
		}
		dims[ax] += v.k.dims[ax]
	}
	out := &konst{dims: dims, isInt: first.isInt}
	for o := range outer {
		for _, v := range in {
			chunk := len(v.k.data) / max(outer, 1)
			out.data = append(out.data, v.k.data[o*chunk:(o+1)*chunk]...)
		}
	}
	return out, nil
}

// fuseGate maps x·sigmoid(x) to SiLU and x·hardsigmoid(x) with PyTorch's
// coefficients (1/6, 1/2) to HardSwish, as exporters write them, when the
// gate feeds nothing else. The gate node is dropped.
func (b *builder) fuseGate(c *call, x, y *value) (*value, bool) {
	for i, pair := range [2][2]*value{{x, y}, {y, x}} {
		v, gate := pair[0], pair[1]
		if b.uses[c.n.GetInput()[1-i]] != 1 || b.valueRefs[gate.node] != 1 || b.consumers[gate.node] != 0 {
			continue // something else reads the gate
		}
		j := b.specNode(gate.node)
		if j < 0 || len(b.spec.Nodes[j].Inputs) != 1 || b.spec.Nodes[j].Inputs[0] != v.node {
			continue
		}
		g := b.spec.Nodes[j]
		var op nn.Op
		switch {
		case g.Op == nn.OpSigmoid:
			op = nn.OpSiLU
		case g.Op == nn.OpHardSigmoid && math.Abs(g.Attrs.Alpha-1.0/6) < 1e-6 && g.Attrs.Beta == 0.5:
			op = nn.OpHardSwish
		default:
			continue
		}
		b.spec.Nodes = slices.Delete(b.spec.Nodes, j, j+1)
		b.consumers[v.node]--
		out := *v
		out.node = b.emit(c.base, op, nn.Attrs{}, v.node)
		return &out, true
	}
	return nil, false
}
