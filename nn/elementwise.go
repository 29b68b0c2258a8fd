package nn

import (
	"fmt"

	"mlabel/tensor"
)

// addLayer sums any number of same-shape inputs, then applies an optional fused
// activation.
type addLayer struct {
	shapeCheck
	epi biasAct
}

// OutShape checks that every input has the first one's shape and returns it.
func (l *addLayer) OutShape(in [][]int) ([]int, error) {
	if len(in) < 1 {
		return nil, fmt.Errorf("add needs at least one input")
	}
	for i, s := range in[1:] {
		if !tensor.SameShape(s, in[0]) {
			return nil, fmt.Errorf("input %d has shape %v, want %v", i+1, s, in[0])
		}
	}
	return sameShapeOut(in[:1], 1)
}

// Params returns nil.
func (l *addLayer) Params() []*Param { return nil }

// Forward sums the inputs and applies the activation.
func (l *addLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	y := out.Data
	// Two inputs followed by ReLU (a residual join) take one pass.
	fused := len(in) == 2 && l.epi.act.op == OpReLU
	parallelFor(len(y), actGrain, func(_, lo, hi int) {
		dst := y[lo:hi]
		if len(in) == 1 {
			copy(dst, in[0].Data[lo:hi])
			return
		}
		vecAdd2(dst, in[0].Data[lo:hi], in[1].Data[lo:hi], fused)
		for _, t := range in[2:] {
			vecAdd(dst, t.Data[lo:hi])
		}
	})
	if !fused {
		l.epi.forward(y, nil, 1)
	}
	return nil
}

// Backward passes the (activation-adjusted) gradient to every input.
func (l *addLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	var first []float32 // the activation's gradient goes straight to the first wanted input
	for _, gi := range gradIn {
		switch {
		case gi == nil:
		case first == nil:
			first = gi.Data
			l.epi.backwardInto(out.Data, gradOut.Data, first)
		default:
			copy(gi.Data, first)
		}
	}
	return nil
}
