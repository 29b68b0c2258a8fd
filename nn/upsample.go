package nn

import (
	"mlabel/tensor"
)

// upsampleLayer enlarges [N, H, W, C] to [N, H·s, W·s, C] by nearest-neighbour
// repetition.
type upsampleLayer struct {
	shapeCheck
	scale int
}

// OutShape returns [N, H·s, W·s, C].
func (l *upsampleLayer) OutShape(in [][]int) ([]int, error) {
	n, h, w, c, err := nhwc(in, 1)
	if err != nil {
		return nil, err
	}
	return []int{n, h * l.scale, w * l.scale, c}, nil
}

// Params returns nil.
func (l *upsampleLayer) Params() []*Param { return nil }

// Forward repeats each pixel s×s times.
func (l *upsampleLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	s := in[0].Shape
	w, c, k := s[2], s[3], l.scale
	x, y := in[0].Data, out.Data
	ow := w * k
	parallelFor(s[0]*s[1], 1, func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			src := x[r*w*c : (r+1)*w*c]
			first := y[r*k*ow*c : (r*k+1)*ow*c]
			for iw := 0; iw < w; iw++ {
				px := src[iw*c : (iw+1)*c]
				for j := 0; j < k; j++ {
					copy(first[(iw*k+j)*c:], px)
				}
			}
			for j := 1; j < k; j++ {
				copy(y[(r*k+j)*ow*c:(r*k+j+1)*ow*c], first)
			}
		}
	})
	return nil
}

// Backward sums the gradient over each s×s block.
func (l *upsampleLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	if gradIn[0] == nil {
		return nil
	}
	s := in[0].Shape
	w, c, k := s[2], s[3], l.scale
	gx, gy := gradIn[0].Data, gradOut.Data
	ow := w * k
	parallelFor(s[0]*s[1], 1, func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			dst := gx[r*w*c : (r+1)*w*c]
			clear(dst)
			for j := 0; j < k; j++ {
				row := gy[(r*k+j)*ow*c : (r*k+j+1)*ow*c]
				for iw := 0; iw < w; iw++ {
					d := dst[iw*c : (iw+1)*c]
					for jj := 0; jj < k; jj++ {
						for i, v := range row[(iw*k+jj)*c : (iw*k+jj+1)*c] {
							d[i] += v
						}
					}
				}
			}
		}
	})
	return nil
}
