package nn

import (
	"fmt"

	"mlabel/tensor"
)

// mulLayer multiplies two inputs elementwise. The second has the first's shape or,
// for an input [N, ..., C], broadcasts as [N, 1, 1, C] or [N, C] (a
// per-image, per-channel gate, as in squeeze-and-excitation).
type mulLayer struct {
	shapeCheck
}

// OutShape returns the first input's shape.
func (l *mulLayer) OutShape(in [][]int) ([]int, error) {
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
func (l *mulLayer) Params() []*Param { return nil }

// Forward computes a·b.
func (l *mulLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	a, b, y := in[0].Data, in[1].Data, out.Data
	if len(b) == len(a) {
		parallelFor(len(y), actGrain, func(_, lo, hi int) {
			vecMul(y[lo:hi], a[lo:hi], b[lo:hi])
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
				vecMul(yi[p:p+c], ai[p:p+c], gate)
			}
		}
	})
	return nil
}

// Backward writes ga = g·b and gb = g·a, summed over the broadcast axes.
func (l *mulLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
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
				vecMul(gi.Data[lo:hi], g[lo:hi], other[lo:hi])
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
					vecMul(gai[p:p+c], gyi[p:p+c], gate)
				}
			}
			if gradIn[1] != nil {
				gbi := gradIn[1].Data[i*c : (i+1)*c]
				clear(gbi)
				for p := 0; p < per; p += c {
					vecMulAdd(gbi, gyi[p:p+c], ai[p:p+c])
				}
			}
		}
	})
	return nil
}
