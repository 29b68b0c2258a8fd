package nn

import "mlabel/tensor"

// scaleShiftLayer computes y = x·scale + shift per channel (the last axis), with
// parameters "scale" and "shift". Importers use it for folded normalisation.
type scaleShiftLayer struct {
	shapeCheck
	scale, shift *Param
	sums         chanSums
	zero         []float32
}

func newScaleShift(b *builder, name string, in [][]int) (*scaleShiftLayer, error) {
	s, err := sameShapeOut(in, 1)
	if err != nil {
		return nil, err
	}
	c := s[len(s)-1]
	return &scaleShiftLayer{
		scale: b.param(name, "scale", false, true, c).fill(1),
		shift: b.param(name, "shift", false, true, c),
		zero:  make([]float32, c),
	}, nil
}

// OutShape returns the input shape; the last axis must match the channels.
func (l *scaleShiftLayer) OutShape(in [][]int) ([]int, error) {
	return channelsLastOut(in, l.scale.Value.Len())
}

// Params returns scale and shift.
func (l *scaleShiftLayer) Params() []*Param { return []*Param{l.scale, l.shift} }

// Forward computes x·scale + shift.
func (l *scaleShiftLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	affine(in[0].Data, nil, out.Data, l.scale.Value.Data, l.shift.Value.Data, nil, l.scale.Value.Len())
	return nil
}

// Backward adds Σg·x to scale's gradient and Σg to shift's, and writes
// g·scale.
func (l *scaleShiftLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
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
