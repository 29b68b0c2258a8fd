package loss

import (
	"fmt"

	"mlabel/tensor"
)

// Smoothed is label smoothing for independent binary labels: the inner loss
// sees each known target y moved toward ½ as y·(1−Eps) + Eps/2, so that a
// positive asks for probability 1−Eps/2 and a negative for Eps/2 instead of
// logits growing without bound. Unknown elements stay unknown.
type Smoothed struct {
	Inner Loss
	Eps   float64

	buf *tensor.Tensor
}

// NewSmoothed returns inner with targets smoothed by eps, which must lie in
// [0, 1).
func NewSmoothed(inner Loss, eps float64) (*Smoothed, error) {
	if inner == nil {
		return nil, fmt.Errorf("loss: label smoothing without a loss")
	}
	if eps < 0 || eps >= 1 {
		return nil, fmt.Errorf("loss: label smoothing must be in [0, 1), got %g", eps)
	}
	return &Smoothed{Inner: inner, Eps: eps}, nil
}

// Name returns the inner loss's name.
func (s *Smoothed) Name() string { return s.Inner.Name() }

// Compute implements Loss.
func (s *Smoothed) Compute(logits, targets, mask, grad *tensor.Tensor) (float64, error) {
	if targets == nil {
		return s.Inner.Compute(logits, targets, mask, grad)
	}
	if s.buf == nil || !tensor.SameShape(s.buf.Shape, targets.Shape) || len(s.buf.Data) != len(targets.Data) {
		s.buf = tensor.New(targets.Shape...)
	}
	a, b := float32(1-s.Eps), float32(s.Eps/2)
	for i, y := range targets.Data {
		s.buf.Data[i] = y*a + b
	}
	return s.Inner.Compute(logits, s.buf, mask, grad)
}
