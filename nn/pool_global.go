package nn

import (
	"math"

	"mlabel/tensor"
)

// globalPoolLayer averages or takes the maximum of each channel over the spatial
// axes: [N, H, W, C] → [N, C].
type globalPoolLayer struct {
	shapeCheck
	max    bool
	argmax []int32 // per output value, the spatial index of the maximum
}

// OutShape returns [N, C].
func (l *globalPoolLayer) OutShape(in [][]int) ([]int, error) {
	n, _, _, c, err := nhwc(in, 1)
	if err != nil {
		return nil, err
	}
	return []int{n, c}, nil
}

// Params returns nil.
func (l *globalPoolLayer) Params() []*Param { return nil }

// Forward pools over H and W, one image per work item.
func (l *globalPoolLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	s := in[0].Shape
	hw, c := s[1]*s[2], s[3]
	x, y := in[0].Data, out.Data
	if l.max {
		l.argmax = growInt32(l.argmax, len(y))
	}
	parallelFor(s[0], 1, func(_, lo, hi int) {
		for n := lo; n < hi; n++ {
			dst := y[n*c : (n+1)*c]
			xi := x[n*hw*c : (n+1)*hw*c]
			if l.max {
				idx := l.argmax[n*c : (n+1)*c]
				for i := range dst {
					dst[i], idx[i] = float32(math.Inf(-1)), 0
				}
				for p := 0; p < hw; p++ {
					for i, v := range xi[p*c : (p+1)*c] {
						if v > dst[i] {
							dst[i], idx[i] = v, int32(p)
						}
					}
				}
				continue
			}
			clear(dst)
			for p := 0; p < hw; p++ {
				for i, v := range xi[p*c : (p+1)*c] {
					dst[i] += v
				}
			}
			inv := 1 / float32(hw)
			for i := range dst {
				dst[i] *= inv
			}
		}
	})
	return nil
}

// Backward spreads each gradient evenly over its channel (average) or sends
// it to the maximum's position (max).
func (l *globalPoolLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	if gradIn[0] == nil {
		return nil
	}
	s := in[0].Shape
	hw, c := s[1]*s[2], s[3]
	gx, gy := gradIn[0].Data, gradOut.Data
	parallelFor(s[0], 1, func(_, lo, hi int) {
		for n := lo; n < hi; n++ {
			src := gy[n*c : (n+1)*c]
			gi := gx[n*hw*c : (n+1)*hw*c]
			if l.max {
				clear(gi)
				for i, p := range l.argmax[n*c : (n+1)*c] {
					gi[int(p)*c+i] = src[i]
				}
				continue
			}
			inv := 1 / float32(hw)
			for p := 0; p < hw; p++ {
				dst := gi[p*c : (p+1)*c]
				for i, v := range src {
					dst[i] = v * inv
				}
			}
		}
	})
	return nil
}
