package onnx

import (
	"fmt"
	"slices"
)

// constantOfShapeOp folds ConstantOfShape of a constant shape.
func constantOfShapeOp(b *builder, c *call) ([]*value, error) {
	sk, err := c.konstInput(0, "shape")
	if err != nil {
		return nil, err
	}
	dims := sk.ints()
	if slices.ContainsFunc(dims, func(d int) bool { return d < 0 }) {
		return nil, fmt.Errorf("shape %v depends on the symbolic batch size or is negative", dims)
	}
	if prod(dims) > maxFolded {
		return nil, fmt.Errorf("shape %v is over the limit of %d values", dims, maxFolded)
	}
	fillWith := &konst{data: []float64{0}}
	if tp := c.a.tensor("value"); tp != nil {
		if fillWith, err = konstFromProto(tp); err != nil {
			return nil, err
		}
		if fillWith.size() != 1 {
			return nil, fmt.Errorf("value has %d elements, want 1", fillWith.size())
		}
	}
	out := &konst{dims: dims, isInt: fillWith.isInt, data: make([]float64, prod(dims))}
	for i := range out.data {
		out.data[i] = fillWith.data[0]
	}
	return []*value{{k: out}}, nil
}

// sliceOp folds Slice of a constant.
func sliceOp(b *builder, c *call) ([]*value, error) {
	data, err := c.konstInput(0, "data")
	if err != nil {
		return nil, err
	}
	var starts, ends, axes, steps []int
	if b.opset < 10 {
		starts, ends, axes = c.a.ints("starts", nil), c.a.ints("ends", nil), c.a.ints("axes", nil)
	} else {
		args := make([][]int, 4)
		for i := range args {
			if c.input(i+1) == nil {
				continue
			}
			k, err := c.konstInput(i+1, []string{"starts", "ends", "axes", "steps"}[i])
			if err != nil {
				return nil, err
			}
			args[i] = k.ints()
		}
		starts, ends, axes, steps = args[0], args[1], args[2], args[3]
	}
	if len(ends) != len(starts) {
		return nil, fmt.Errorf("%d starts but %d ends", len(starts), len(ends))
	}
	r := len(data.dims)
	first, step := make([]int, r), make([]int, r)
	dims := slices.Clone(data.dims)
	for i := range step {
		step[i] = 1
	}
	for i := range starts {
		ax := i
		if axes != nil {
			if ax, err = normAxis(axes[i], r); err != nil {
				return nil, err
			}
		}
		st := 1
		if steps != nil {
			st = steps[i]
		}
		if st == 0 {
			return nil, fmt.Errorf("step 0")
		}
		first[ax], dims[ax] = sliceRange(starts[i], ends[i], st, data.dims[ax])
		step[ax] = st
	}
	out := &konst{dims: dims, isInt: data.isInt, data: make([]float64, 0, prod(dims))}
	ds := strides(data.dims)
	idx := make([]int, r)
	for range prod(dims) {
		src := 0
		for ax := range r {
			src += (first[ax] + idx[ax]*step[ax]) * ds[ax]
		}
		out.data = append(out.data, data.data[src])
		for ax := r - 1; ax >= 0; ax-- {
			idx[ax]++
			if idx[ax] < dims[ax] {
				break
			}
			idx[ax] = 0
		}
	}
	return []*value{{k: out}}, nil
}

// sliceRange applies ONNX's clamping rules to one axis of size n and returns
// the first index and the number of elements taken.
func sliceRange(start, end, step, n int) (first, count int) {
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if step > 0 {
		start, end = min(max(start, 0), n), min(max(end, 0), n)
		return start, max(0, (end-start+step-1)/step)
	}
	start, end = min(max(start, 0), n-1), min(max(end, -1), n-1)
	return start, max(0, (start-end+(-step)-1)/(-step))
}
