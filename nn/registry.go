package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"mlabel/tensor"
)

// fill sets every element of p's value to v, unless p is borrowed.
func (p *Param) fill(v float32) *Param {
	if p.borrowed {
		return p
	}
	for i := range p.Value.Data {
		p.Value.Data[i] = v
	}
	return p
}

// uniformInit fills p's value uniformly in ±1/√fanIn, as PyTorch's default
// initialisation of conv and linear weights and biases, unless p is
// borrowed.
func (p *Param) uniformInit(rng *rand.Rand, fanIn int) *Param {
	if p.borrowed {
		return p
	}
	bound := 1 / math.Sqrt(float64(fanIn))
	for i := range p.Value.Data {
		p.Value.Data[i] = float32((rng.Float64()*2 - 1) * bound)
	}
	return p
}

// shapeCheck verifies that Forward's tensors fit the layer, calling OutShape
// only when the input shapes change, so a steady training loop does not
// allocate.
type shapeCheck struct {
	inShapes [][]int
	outShape []int
}

// check returns an error unless out has the shape outShape gives for in.
func (s *shapeCheck) check(outShape func([][]int) ([]int, error), in []*tensor.Tensor, out *tensor.Tensor) error {
	if out == nil {
		return fmt.Errorf("nil output tensor")
	}
	same := len(in) == len(s.inShapes) && s.outShape != nil
	for i := 0; same && i < len(in); i++ {
		same = in[i] != nil && tensor.SameShape(in[i].Shape, s.inShapes[i])
	}
	if !same {
		shapes := make([][]int, len(in))
		for i, t := range in {
			if t == nil {
				return fmt.Errorf("input %d is nil", i)
			}
			shapes[i] = append([]int(nil), t.Shape...)
		}
		o, err := outShape(shapes)
		if err != nil {
			return err
		}
		s.inShapes, s.outShape = shapes, o
	}
	if !tensor.SameShape(out.Shape, s.outShape) {
		return fmt.Errorf("output shape %v, want %v", out.Shape, s.outShape)
	}
	return nil
}

// checkGrads verifies that a Forward with out's shape ran, that gradOut
// matches out and that each non-nil gradIn entry matches its input.
func (s *shapeCheck) checkGrads(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if out == nil || s.outShape == nil || !tensor.SameShape(out.Shape, s.outShape) {
		return fmt.Errorf("backward without a matching forward")
	}
	if gradOut == nil || !tensor.SameShape(gradOut.Shape, out.Shape) {
		return fmt.Errorf("output gradient does not match the output shape")
	}
	if len(gradIn) != len(in) {
		return fmt.Errorf("%d input gradients for %d inputs", len(gradIn), len(in))
	}
	for i, g := range gradIn {
		if g != nil && !tensor.SameShape(g.Shape, in[i].Shape) {
			return fmt.Errorf("input gradient %d has shape %v, want %v", i, g.Shape, in[i].Shape)
		}
	}
	return nil
}

// sameShapeOut checks that there are n inputs and returns the first one's
// shape.
func sameShapeOut(in [][]int, n int) ([]int, error) {
	if len(in) != n {
		return nil, fmt.Errorf("%d inputs, want %d", len(in), n)
	}
	if len(in[0]) == 0 {
		return nil, fmt.Errorf("input has no dimensions")
	}
	return append([]int(nil), in[0]...), nil
}

// channelsLastOut checks that in holds one input whose last axis has c
// values, and returns its shape.
func channelsLastOut(in [][]int, c int) ([]int, error) {
	s, err := sameShapeOut(in, 1)
	if err != nil {
		return nil, err
	}
	if s[len(s)-1] != c {
		return nil, fmt.Errorf("input shape %v, want %d channels last", s, c)
	}
	return s, nil
}

// nhwc checks that in holds n inputs and that the first is [N, H, W, C].
func nhwc(in [][]int, n int) (b, h, w, c int, err error) {
	if len(in) != n {
		return 0, 0, 0, 0, fmt.Errorf("%d inputs, want %d", len(in), n)
	}
	s := in[0]
	if len(s) != 4 {
		return 0, 0, 0, 0, fmt.Errorf("input shape %v is not [N,H,W,C]", s)
	}
	for _, d := range s {
		if d <= 0 {
			return 0, 0, 0, 0, fmt.Errorf("input shape %v has an empty dimension", s)
		}
	}
	return s[0], s[1], s[2], s[3], nil
}

// onePair returns the two values of a or def when both are zero.
func onePair(a [2]int, def [2]int) [2]int {
	if a == [2]int{} {
		return def
	}
	return a
}
