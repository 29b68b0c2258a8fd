package nn

import (
	"fmt"

	"mlabel/tensor"
)

// Add sums any number of same-shape inputs, then applies an optional fused
// activation.
type Add struct {
	shapeCheck
	epi biasAct
}

// OutShape checks that every input has the first one's shape and returns it.
func (l *Add) OutShape(in [][]int) ([]int, error) {
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
func (l *Add) Params() []*Param { return nil }

// Forward sums the inputs and applies the activation.
func (l *Add) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
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
func (l *Add) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	g := l.epi.backward(out.Data, gradOut.Data)
	for _, gi := range gradIn {
		if gi != nil {
			copy(gi.Data, g)
		}
	}
	return nil
}

// Mul multiplies two inputs elementwise. The second has the first's shape or,
// for an input [N, ..., C], broadcasts as [N, 1, 1, C] or [N, C] (a
// per-image, per-channel gate, as in squeeze-and-excitation).
type Mul struct {
	shapeCheck
}

// OutShape returns the first input's shape.
func (l *Mul) OutShape(in [][]int) ([]int, error) {
	s, err := sameShapeOut(in, 2)
	if err != nil {
		return nil, err
	}
	if tensor.SameShape(in[1], s) {
		return s, nil
	}
	if len(s) >= 2 && in[1][0] == s[0] && in[1][len(in[1])-1] == s[len(s)-1] && tensor.Size(in[1]) == s[0]*s[len(s)-1] {
		return s, nil
	}
	return nil, fmt.Errorf("cannot broadcast %v onto %v", in[1], s)
}

// Params returns nil.
func (l *Mul) Params() []*Param { return nil }

// Forward computes a·b.
func (l *Mul) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	a, b, y := in[0].Data, in[1].Data, out.Data
	if len(b) == len(a) {
		parallelFor(len(y), actGrain, func(_, lo, hi int) {
			bb, yy := b[lo:hi], y[lo:hi]
			for i, v := range a[lo:hi] {
				yy[i] = v * bb[i]
			}
		})
		return nil
	}
	n := in[0].Shape[0]
	c := len(b) / n
	per := len(a) / n
	parallelFor(n, 1, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			gate := b[i*c : (i+1)*c]
			ai, yi := a[i*per:(i+1)*per], y[i*per:(i+1)*per]
			for p := 0; p < per; p += c {
				row, dst := ai[p:p+c], yi[p:p+c]
				for j, v := range row {
					dst[j] = v * gate[j]
				}
			}
		}
	})
	return nil
}

// Backward writes ga = g·b and gb = g·a, summed over the broadcast axes.
func (l *Mul) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	a, b, g := in[0].Data, in[1].Data, gradOut.Data
	if len(b) == len(a) {
		for k, gi := range gradIn {
			if gi == nil {
				continue
			}
			other := in[1-k].Data
			parallelFor(len(g), actGrain, func(_, lo, hi int) {
				o, d := other[lo:hi], gi.Data[lo:hi]
				for i, v := range g[lo:hi] {
					d[i] = v * o[i]
				}
			})
		}
		return nil
	}
	n := in[0].Shape[0]
	c := len(b) / n
	per := len(a) / n
	parallelFor(n, 1, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			gate := b[i*c : (i+1)*c]
			ai, gyi := a[i*per:(i+1)*per], g[i*per:(i+1)*per]
			if gradIn[0] != nil {
				gai := gradIn[0].Data[i*per : (i+1)*per]
				for p := 0; p < per; p += c {
					row, dst := gyi[p:p+c], gai[p:p+c]
					for j, v := range row {
						dst[j] = v * gate[j]
					}
				}
			}
			if gradIn[1] != nil {
				gbi := gradIn[1].Data[i*c : (i+1)*c]
				clear(gbi)
				for p := 0; p < per; p += c {
					row, av := gyi[p:p+c], ai[p:p+c]
					for j, v := range row {
						gbi[j] += v * av[j]
					}
				}
			}
		}
	})
	return nil
}

// ScaleShift computes y = x·scale + shift per channel (the last axis), with
// parameters "scale" and "shift". Importers use it for folded normalisation.
type ScaleShift struct {
	shapeCheck
	scale, shift *Param
	sums         chanSums
	zero         []float32
}

func newScaleShift(name string, in [][]int) (*ScaleShift, error) {
	s, err := sameShapeOut(in, 1)
	if err != nil {
		return nil, err
	}
	c := s[len(s)-1]
	return &ScaleShift{
		scale: newParam(name, "scale", false, true, c).fill(1),
		shift: newParam(name, "shift", false, true, c),
		zero:  make([]float32, c),
	}, nil
}

// OutShape returns the input shape; the last axis must match the channels.
func (l *ScaleShift) OutShape(in [][]int) ([]int, error) {
	return channelsLastOut(in, l.scale.Value.Len())
}

// Params returns scale and shift.
func (l *ScaleShift) Params() []*Param { return []*Param{l.scale, l.shift} }

// Forward computes x·scale + shift.
func (l *ScaleShift) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	affine(in[0].Data, nil, out.Data, l.scale.Value.Data, l.shift.Value.Data, nil, l.scale.Value.Len())
	return nil
}

// Backward adds Σg·x to scale's gradient and Σg to shift's, and writes
// g·scale.
func (l *ScaleShift) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	c := l.scale.Value.Len()
	sg, sgx := l.sums.sums(gradOut.Data, in[0].Data, l.zero, c)
	ds, db := l.scale.Grad.Data, l.shift.Grad.Data
	for i := 0; i < c; i++ {
		ds[i] += float32(sgx[i])
		db[i] += float32(sg[i])
	}
	if gradIn[0] != nil {
		affine(gradOut.Data, nil, gradIn[0].Data, l.scale.Value.Data, l.zero, nil, c)
	}
	return nil
}
