package nn

import (
	"fmt"

	"mlabel/tensor"
)

// concatLayer joins its inputs along the last axis (channels). All other axes
// must agree.
type concatLayer struct {
	shapeCheck
}

// OutShape returns the common shape with the last axes summed.
func (l *concatLayer) OutShape(in [][]int) ([]int, error) {
	if len(in) < 1 {
		return nil, fmt.Errorf("concat needs at least one input")
	}
	out, err := sameShapeOut(in[:1], 1)
	if err != nil {
		return nil, err
	}
	r := len(out)
	for i, s := range in[1:] {
		if len(s) != r || !tensor.SameShape(s[:r-1], out[:r-1]) {
			return nil, fmt.Errorf("input %d has shape %v, incompatible with %v", i+1, s, in[0])
		}
		out[r-1] += s[r-1]
	}
	return out, nil
}

// Params returns nil.
func (l *concatLayer) Params() []*Param { return nil }

// copyChannels copies, for each of rows rows, the channel block of width w at
// offset off of the [rows, total] matrix big to or from the [rows, w] matrix
// small.
func copyChannels(big, small []float32, rows, total, off, w int, toBig bool) {
	parallelFor(rows, max(1, actGrain/max(w, 1)), func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			b, s := big[r*total+off:r*total+off+w], small[r*w:(r+1)*w]
			if toBig {
				copy(b, s)
			} else {
				copy(s, b)
			}
		}
	})
}

// Forward copies each input into its channel block.
func (l *concatLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	total := out.Shape[len(out.Shape)-1]
	rows := out.Len() / total
	off := 0
	for _, t := range in {
		w := t.Shape[len(t.Shape)-1]
		copyChannels(out.Data, t.Data, rows, total, off, w, true)
		off += w
	}
	return nil
}

// Backward slices the gradient back into per-input channel blocks.
func (l *concatLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	total := out.Shape[len(out.Shape)-1]
	rows := out.Len() / total
	off := 0
	for i, t := range in {
		w := t.Shape[len(t.Shape)-1]
		if gradIn[i] != nil {
			copyChannels(gradOut.Data, gradIn[i].Data, rows, total, off, w, false)
		}
		off += w
	}
	return nil
}
