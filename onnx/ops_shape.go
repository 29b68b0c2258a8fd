package onnx

import (
	"fmt"
	"slices"

	"mlabel/nn"
)

func constantOp(b *builder, c *call) ([]*value, error) {
	switch {
	case c.a.has("value"):
		k, err := konstFromProto(c.a.tensor("value"))
		if err != nil {
			return nil, err
		}
		return []*value{{k: k}}, nil
	case c.a.has("value_float"):
		return []*value{{k: &konst{data: []float64{c.a.float("value_float", 0)}}}}, nil
	case c.a.has("value_int"):
		return []*value{{k: &konst{data: []float64{float64(c.a.int("value_int", 0))}, isInt: true}}}, nil
	case c.a.has("value_ints"):
		k := &konst{isInt: true}
		for _, v := range c.a.ints("value_ints", nil) {
			k.data = append(k.data, float64(v))
		}
		k.dims = []int{len(k.data)}
		return []*value{{k: k}}, nil
	}
	return nil, fmt.Errorf("only tensor, float, int and ints values are supported")
}

// shapeOf returns the ONNX shape of a value.
func shapeOf(v *value) []int {
	if v.k != nil {
		return v.k.dims
	}
	return v.shape
}

func shapeOp(b *builder, c *call) ([]*value, error) {
	x := c.input(0)
	if x == nil {
		return nil, fmt.Errorf("missing input")
	}
	dims := shapeOf(x)
	r := len(dims)
	start, end := c.a.int("start", 0), c.a.int("end", r)
	start, end = clampAxis(start, r), clampAxis(end, r)
	k := &konst{isInt: true, dims: []int{max(0, end-start)}}
	for i := start; i < end; i++ {
		k.data = append(k.data, float64(dims[i]))
	}
	return []*value{{k: k}}, nil
}

// clampAxis maps a slice bound into [0, rank].
func clampAxis(a, rank int) int {
	if a < 0 {
		a += rank
	}
	return min(max(a, 0), rank)
}

func gatherOp(b *builder, c *call) ([]*value, error) {
	data, err := c.konstInput(0, "data")
	if err != nil {
		return nil, err
	}
	idx, err := c.konstInput(1, "indices")
	if err != nil {
		return nil, err
	}
	ax, err := normAxis(c.a.int("axis", 0), len(data.dims))
	if err != nil {
		return nil, err
	}
	n := data.dims[ax]
	outer, inner := prod(data.dims[:ax]), prod(data.dims[ax+1:])
	dims := append(append(slices.Clone(data.dims[:ax]), idx.dims...), data.dims[ax+1:]...)
	out := &konst{dims: dims, isInt: data.isInt}
	for o := range outer {
		for _, fi := range idx.data {
			i := int(fi)
			if i < 0 {
				i += n
			}
			if i < 0 || i >= n {
				return nil, fmt.Errorf("index %d out of range for axis of size %d", int(fi), n)
			}
			base := (o*n + i) * inner
			out.data = append(out.data, data.data[base:base+inner]...)
		}
	}
	return []*value{{k: out}}, nil
}

// axesArg reads the axes of Unsqueeze or Squeeze: an attribute before
// opset 13, an optional input after.
func axesArg(b *builder, c *call) ([]int, error) {
	if b.opset < 13 {
		return c.a.ints("axes", nil), nil
	}
	if c.input(1) == nil {
		return nil, nil
	}
	k, err := c.konstInput(1, "axes")
	if err != nil {
		return nil, err
	}
	return k.ints(), nil
}

// normAxes normalises axes for a tensor of rank r, sorted.
func normAxes(axes []int, r int) ([]int, error) {
	out := make([]int, len(axes))
	for i, a := range axes {
		n, err := normAxis(a, r)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	slices.Sort(out)
	return out, nil
}

func unsqueezeOp(b *builder, c *call) ([]*value, error) {
	axes, err := axesArg(b, c)
	if err != nil {
		return nil, err
	}
	x := c.input(0)
	in := shapeOf(x)
	axes, err = normAxes(axes, len(in)+len(axes))
	if err != nil {
		return nil, err
	}
	var dims []int
	for i, j := 0, 0; i < len(in)+len(axes); i++ {
		if slices.Contains(axes, i) {
			dims = append(dims, 1)
			continue
		}
		dims = append(dims, in[j])
		j++
	}
	return reshapeTo(b, c, x, dims)
}

func squeezeOp(b *builder, c *call) ([]*value, error) {
	axes, err := axesArg(b, c)
	if err != nil {
		return nil, err
	}
	x := c.input(0)
	in := shapeOf(x)
	if axes, err = normAxes(axes, len(in)); err != nil {
		return nil, err
	}
	var dims []int
	for i, d := range in {
		squeeze := slices.Contains(axes, i) || len(axes) == 0 && d == 1 && (i > 0 || x.k != nil)
		if squeeze && d != 1 {
			return nil, fmt.Errorf("cannot squeeze axis %d of size %d", i, d)
		}
		if !squeeze {
			dims = append(dims, d)
		}
	}
	return reshapeTo(b, c, x, dims)
}

func flattenOp(b *builder, c *call) ([]*value, error) {
	x := c.input(0)
	if x == nil {
		return nil, fmt.Errorf("missing input")
	}
	in := shapeOf(x)
	axis := c.a.int("axis", 1)
	if axis < 0 {
		axis += len(in)
	}
	if axis < 0 || axis > len(in) {
		return nil, fmt.Errorf("axis %d out of range for rank %d", axis, len(in))
	}
	return reshapeTo(b, c, x, []int{prod(in[:axis]), prod(in[axis:])})
}

func reshapeOp(b *builder, c *call) ([]*value, error) {
	var target []int
	if b.opset < 5 {
		target = c.a.ints("shape", nil)
	} else {
		k, err := c.konstInput(1, "shape")
		if err != nil {
			return nil, err
		}
		target = k.ints()
	}
	if c.a.int("allowzero", 0) != 0 && slices.Contains(target, 0) {
		return nil, fmt.Errorf("allowzero with a zero dimension is not supported")
	}
	x := c.input(0)
	dims, err := resolveShape(shapeOf(x), target)
	if err != nil {
		return nil, err
	}
	return reshapeTo(b, c, x, dims)
}

// resolveShape applies Reshape's 0 (copy) and -1 (infer) rules. A symbolic
// batch size may only stay in place as the first dimension.
func resolveShape(in, target []int) ([]int, error) {
	if len(in) == 0 || in[0] != batchDim {
		return resolvePlain(in, target)
	}
	if len(target) == 0 {
		return nil, fmt.Errorf("reshaping %v to a scalar", in)
	}
	switch target[0] {
	case 0, batchDim:
	case -1:
		if slices.Contains(target[1:], -1) {
			return nil, fmt.Errorf("shape %v has two -1 entries", target)
		}
	default:
		return nil, fmt.Errorf("shape %v changes the symbolic batch dimension", target)
	}
	rest, err := resolvePlain(in[1:], target[1:])
	if err != nil {
		return nil, err
	}
	if prod(rest) != prod(in[1:]) {
		return nil, fmt.Errorf("shape %v does not keep the batch dimension of %v", target, in)
	}
	return append([]int{batchDim}, rest...), nil
}

// resolvePlain is resolveShape for a shape with no symbolic dimension.
func resolvePlain(in, target []int) ([]int, error) {
	dims := slices.Clone(target)
	infer := -1
	for i, d := range dims {
		switch {
		case d == 0 && i < len(in):
			dims[i] = in[i]
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			return nil, fmt.Errorf("shape %v is not valid", target)
		}
	}
	if infer >= 0 {
		known := 1
		for i, d := range dims {
			if i != infer {
				known *= d
			}
		}
		if known == 0 || prod(in)%known != 0 {
			return nil, fmt.Errorf("cannot reshape %v to %v", in, target)
		}
		dims[infer] = prod(in) / known
	}
	return dims, nil
}

// reshapeTo gives x the ONNX shape dims: folded for constants, and for
// computed tensors only where the engine's data needs no movement.
func reshapeTo(b *builder, c *call, x *value, dims []int) ([]*value, error) {
	if x == nil {
		return nil, fmt.Errorf("missing input")
	}
	if x.k != nil {
		if prod(dims) != x.k.size() {
			return nil, fmt.Errorf("cannot reshape %v to %v", x.k.dims, dims)
		}
		return []*value{{k: &konst{dims: dims, data: x.k.data, isInt: x.k.isInt}}}, nil
	}
	if len(dims) == 0 || dims[0] != x.shape[0] || prod(dims[1:]) != prod(x.shape[1:]) {
		return nil, fmt.Errorf("reshaping %v to %v changes the batch dimension", x.shape, dims)
	}
	if x.padded {
		var err error
		if x, err = b.settle(x, c.base); err != nil {
			return nil, err
		}
	}
	n := x.shape[0]
	switch {
	case slices.Equal(dims, x.shape):
		return []*value{x}, nil
	case len(dims) == 2 && (x.lay == laySqueezed || x.lay == layRaw && len(x.shape) == 1):
		return []*value{{node: x.node, shape: dims, lay: layRaw}}, nil
	case len(dims) == 2 && x.lay == layNHWC:
		out := &value{node: b.emit(c.base, nn.OpFlatten, nn.Attrs{}, x.node), shape: dims, lay: layRaw}
		if x.shape[2]*x.shape[3] > 1 && x.shape[1] > 1 {
			out.lay, out.chw = layFlatHWC, [3]int{x.shape[1], x.shape[2], x.shape[3]}
		}
		return []*value{out}, nil
	case len(dims) == 2 && x.lay == layRaw && len(x.shape) == 4:
		return []*value{{node: b.emit(c.base, nn.OpFlatten, nn.Attrs{}, x.node), shape: dims, lay: layRaw}}, nil
	case slices.Equal(dims, []int{n, prod(x.shape[1:]), 1, 1}) && x.lay == layRaw && len(x.shape) == 2:
		return []*value{{node: x.node, shape: dims, lay: laySqueezed}}, nil
	}
	return nil, fmt.Errorf("reshaping %v to %v is not supported by the engine", x.shape, dims)
}

// transposeOp folds constants, and for computed tensors only the transposes
// between NCHW and NHWC that change how the engine's data is labelled.
func transposeOp(b *builder, c *call) ([]*value, error) {
	x := c.input(0)
	if x == nil {
		return nil, fmt.Errorf("missing input")
	}
	r := len(shapeOf(x))
	def := make([]int, r)
	for i := range def {
		def[i] = r - 1 - i
	}
	perm := c.a.ints("perm", def)
	if len(perm) != r {
		return nil, fmt.Errorf("perm %v does not fit rank %d", perm, r)
	}
	if x.k != nil {
		return []*value{{k: transposeKonst(x.k, perm)}}, nil
	}
	x, err := b.settle(x, c.base)
	if err != nil {
		return nil, err
	}
	dims := make([]int, r)
	for i, p := range perm {
		dims[i] = x.shape[p]
	}
	switch {
	case slices.IsSorted(perm):
		return []*value{x}, nil
	case x.lay == layRaw && slices.Equal(perm, []int{0, 3, 1, 2}):
		return []*value{{node: x.node, shape: dims, lay: layNHWC}}, nil
	case x.lay == layNHWC && slices.Equal(perm, []int{0, 2, 3, 1}):
		return []*value{{node: x.node, shape: dims, lay: layRaw}}, nil
	}
	return nil, fmt.Errorf("transpose %v of %v cannot be folded into the engine's layout", perm, x.shape)
}

func castOp(b *builder, c *call) ([]*value, error) {
	to := c.a.int("to", 0)
	x := c.input(0)
	if x == nil {
		return nil, fmt.Errorf("missing input")
	}
	if x.k == nil {
		if to != dtFloat {
			return nil, fmt.Errorf("casting a computed tensor to type %d is not supported", to)
		}
		return []*value{x}, nil
	}
	k := &konst{dims: x.k.dims, data: slices.Clone(x.k.data)}
	switch to {
	case dtFloat, dtDouble:
	case dtInt64, dtInt32:
		k.isInt = true
		for i, v := range k.data {
			if v != batchDim {
				k.data[i] = float64(int64(v))
			}
		}
	default:
		return nil, fmt.Errorf("cast of a constant to type %d is not supported", to)
	}
	return []*value{{k: k}}, nil
}
