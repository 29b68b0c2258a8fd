package nn

import (
	"fmt"

	"mlabel/gemm"
	"mlabel/tensor"
)

// denseLayer is a fully connected layer y = x·W + b on [N, In] inputs (trailing
// axes of higher-rank inputs are flattened), with an optional fused
// activation.
type denseLayer struct {
	shapeCheck
	units  int
	weight *Param
	bias   *Param
	epi    biasAct
}

func newDense(b *builder, name string, a Attrs, in [][]int) (*denseLayer, error) {
	s, err := sameShapeOut(in, 1)
	if err != nil {
		return nil, err
	}
	if len(s) < 2 {
		return nil, fmt.Errorf("input shape %v has no feature axis", s)
	}
	if a.Units <= 0 {
		return nil, fmt.Errorf("units %d must be positive", a.Units)
	}
	f := tensor.Size(s[1:])
	l := &denseLayer{units: a.Units}
	if l.epi.act, err = newActFunc(a.Act, a); err != nil {
		return nil, err
	}
	l.weight = b.param(name, "weight", false, false, f, a.Units).uniformInit(b.rng, f)
	if a.Bias {
		l.bias = b.param(name, "bias", false, true, a.Units).uniformInit(b.rng, f)
	}
	return l, nil
}

// OutShape returns [N, Units].
func (l *denseLayer) OutShape(in [][]int) ([]int, error) {
	s, err := sameShapeOut(in, 1)
	if err != nil {
		return nil, err
	}
	if f := l.weight.Value.Shape[0]; len(s) < 2 || tensor.Size(s[1:]) != f {
		return nil, fmt.Errorf("input shape %v, want [N, %d]", s, f)
	}
	return []int{s[0], l.units}, nil
}

// Params returns the weight and, when present, the bias.
func (l *denseLayer) Params() []*Param {
	if l.bias != nil {
		return []*Param{l.weight, l.bias}
	}
	return []*Param{l.weight}
}

// Forward computes x·W + b and the activation.
func (l *denseLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	n, f := out.Shape[0], l.weight.Value.Shape[0]
	gemm.Sgemm(false, false, n, l.units, f, 1, in[0].Data, f, l.weight.Value.Data, l.units, 0, out.Data, l.units)
	var b []float32
	if l.bias != nil {
		b = l.bias.Value.Data
	}
	l.epi.forward(out.Data, b, l.units)
	return nil
}

// Backward adds dW = xᵀ·g and db = Σg (unless frozen), and writes dx = g·Wᵀ
// when wanted.
func (l *denseLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	n, f := out.Shape[0], l.weight.Value.Shape[0]
	g := l.epi.backward(out.Data, gradOut.Data)
	if trains(l.bias) {
		l.epi.biasGrad(g, l.units, l.bias.Grad.Data)
	}
	if trains(l.weight) {
		gemm.Sgemm(true, false, f, l.units, n, 1, in[0].Data, f, g, l.units, 1, l.weight.Grad.Data, l.units)
	}
	if gradIn[0] != nil {
		gemm.Sgemm(false, true, n, f, l.units, 1, g, l.units, l.weight.Value.Data, l.units, 0, gradIn[0].Data, f)
	}
	return nil
}
