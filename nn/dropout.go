package nn

import (
	"fmt"
	"math/rand/v2"

	"mlabel/tensor"
)

// dropoutLayer zeroes each value with probability Rate in training and scales the
// others by 1/(1−Rate) (inverted dropout); in evaluation it is the identity.
type dropoutLayer struct {
	shapeCheck
	rate  float64
	rng   *rand.Rand
	mask  []float32 // per value: 0 or 1/(1−rate), from the last training Forward
	train bool
}

func newDropout(a Attrs, rng *rand.Rand) (*dropoutLayer, error) {
	if a.Rate < 0 || a.Rate >= 1 {
		return nil, fmt.Errorf("dropout rate %g not in [0, 1)", a.Rate)
	}
	return &dropoutLayer{rate: a.Rate, rng: rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))}, nil
}

// OutShape returns the input shape.
func (l *dropoutLayer) OutShape(in [][]int) ([]int, error) { return sameShapeOut(in, 1) }

// Params returns nil.
func (l *dropoutLayer) Params() []*Param { return nil }

// Forward draws a new mask in training and applies it.
func (l *dropoutLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	l.train = train && l.rate > 0
	x, y := in[0].Data, out.Data
	if !l.train {
		copy(y, x)
		return nil
	}
	l.mask = grow(l.mask, len(x))
	keep := float32(1 / (1 - l.rate))
	for i, v := range x {
		m := keep
		if l.rng.Float64() < l.rate {
			m = 0
		}
		l.mask[i] = m
		y[i] = v * m
	}
	return nil
}

// Backward applies the same mask to the gradient.
func (l *dropoutLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	if gradIn[0] == nil {
		return nil
	}
	gx, gy := gradIn[0].Data, gradOut.Data
	if !l.train {
		copy(gx, gy)
		return nil
	}
	for i, m := range l.mask[:len(gy)] {
		gx[i] = gy[i] * m
	}
	return nil
}
