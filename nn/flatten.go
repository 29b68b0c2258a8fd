package nn

import (
	"fmt"

	"mlabel/tensor"
)

// flattenLayer reshapes [N, ...] to [N, product of the rest]; for NHWC inputs the
// features are in H, W, C order.
type flattenLayer struct {
	shapeCheck
}

// OutShape returns [N, F].
func (l *flattenLayer) OutShape(in [][]int) ([]int, error) {
	s, err := sameShapeOut(in, 1)
	if err != nil {
		return nil, err
	}
	if len(s) < 2 {
		return nil, fmt.Errorf("input shape %v has no axis to flatten", s)
	}
	return []int{s[0], tensor.Size(s[1:])}, nil
}

// Params returns nil.
func (l *flattenLayer) Params() []*Param { return nil }

// Forward copies the data.
func (l *flattenLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	copy(out.Data, in[0].Data)
	return nil
}

// Backward copies the gradient back.
func (l *flattenLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	if gradIn[0] != nil {
		copy(gradIn[0].Data, gradOut.Data)
	}
	return nil
}
