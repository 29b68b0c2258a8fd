package nn

import (
	"fmt"

	"mlabel/tensor"
)

// poolLayer is max or average pooling over NHWC inputs with PyTorch's
// semantics: padding, ceil mode (the last window must start inside the input
// or the left padding) and, for averages, count_include_pad.
type poolLayer struct {
	shapeCheck
	max         bool
	win         window
	ceil        bool
	includePad  bool
	argmax      []int32 // per output value, the max's position kh·kw index in its window
	haveArgmax  bool    // the last Forward was a training pass of max pooling, which filled argmax
	kernOff     []int   // per window position, its offset from the window's corner
	inPerImage  int
	outPerImage int
}

func newPool2D(op Op, a Attrs) (*poolLayer, error) {
	k := a.Kernel
	s := onePair(a.Stride, k)
	l := &poolLayer{max: op == OpMaxPool, ceil: a.CeilMode, includePad: a.CountIncludePad,
		win: window{kh: k[0], kw: k[1], sh: s[0], sw: s[1], dh: 1, dw: 1,
			pt: a.Pad[0], pl: a.Pad[1], pb: a.Pad[2], pr: a.Pad[3]}}
	if k[0] <= 0 || k[1] <= 0 || s[0] <= 0 || s[1] <= 0 {
		return nil, fmt.Errorf("kernel %v and stride %v must be positive", k, s)
	}
	if min(a.Pad[0], a.Pad[1], a.Pad[2], a.Pad[3]) < 0 {
		return nil, fmt.Errorf("negative padding %v", a.Pad)
	}
	if max(a.Pad[0], a.Pad[2]) > k[0]/2 || max(a.Pad[1], a.Pad[3]) > k[1]/2 {
		return nil, fmt.Errorf("padding %v exceeds half the kernel %v", a.Pad, k)
	}
	return l, nil
}

// poolOut is PyTorch's pooling output size along one axis.
func poolOut(in, k, s, padA, padB int, ceil bool) int {
	num := in + padA + padB - k
	if ceil {
		num += s - 1
	}
	if num < 0 {
		return 0
	}
	o := num/s + 1
	if ceil && (o-1)*s >= in+padA {
		o--
	}
	return o
}

// OutShape returns [N, OH, OW, C].
func (l *poolLayer) OutShape(in [][]int) ([]int, error) {
	n, h, w, c, err := nhwc(in, 1)
	if err != nil {
		return nil, err
	}
	g := l.win
	oh := poolOut(h, g.kh, g.sh, g.pt, g.pb, l.ceil)
	ow := poolOut(w, g.kw, g.sw, g.pl, g.pr, l.ceil)
	if oh < 1 || ow < 1 {
		return nil, fmt.Errorf("pool window does not fit input %dx%d", h, w)
	}
	return []int{n, oh, ow, c}, nil
}

// Params returns nil.
func (l *poolLayer) Params() []*Param { return nil }

// span returns the input range [lo, hi) a window starting at start covers,
// clipped to [0, size), and the window's length clipped to the padded
// extent [-padA, size+padB) instead.
func span(start, k, size, padB int) (lo, hi, padded int) {
	end := min(start+k, size+padB)
	padded = end - start
	return max(start, 0), min(end, size), padded
}

// avgScale returns 1 over an average window's divisor: the number of input
// values it covers, or with count_include_pad its size clipped to the padded
// input (ph×pw).
func (l *poolLayer) avgScale(h0, h1, ph, w0, w1, pw int) float32 {
	if l.includePad {
		return 1 / float32(ph*pw)
	}
	return 1 / float32((h1-h0)*(w1-w0))
}

// Forward pools each window.
func (l *poolLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	g := &l.win
	g.n, g.h, g.w, g.c = in[0].Shape[0], in[0].Shape[1], in[0].Shape[2], in[0].Shape[3]
	g.oh, g.ow = out.Shape[1], out.Shape[2]
	l.inPerImage, l.outPerImage = g.h*g.w*g.c, g.oh*g.ow*g.c
	// Only a training pass records the argmax positions that Backward
	// needs; inference takes plain maxima.
	l.haveArgmax = l.max && train
	if l.haveArgmax {
		l.argmax = growInt32(l.argmax, out.Len())
		l.kernOff = l.kernOff[:0]
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				l.kernOff = append(l.kernOff, (ki*g.w+kj)*g.c)
			}
		}
	}
	x, y := in[0].Data, out.Data
	c := g.c
	parallelFor(g.n*g.oh, 1, func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			n, oh := r/g.oh, r%g.oh
			h0, h1, ph := span(oh*g.sh-g.pt, g.kh, g.h, g.pb)
			xi := x[n*l.inPerImage : (n+1)*l.inPerImage]
			for ow := 0; ow < g.ow; ow++ {
				w0, w1, pw := span(ow*g.sw-g.pl, g.kw, g.w, g.pr)
				o := (r*g.ow + ow) * c
				dst := y[o : o+c]
				if l.max {
					var idx []int32
					if l.haveArgmax {
						idx = l.argmax[o : o+c]
					}
					l.maxWindow(xi, dst, idx, oh*g.sh-g.pt, ow*g.sw-g.pl, h0, h1, w0, w1)
					continue
				}
				inv := l.avgScale(h0, h1, ph, w0, w1, pw)
				clear(dst)
				for ih := h0; ih < h1; ih++ {
					for iw := w0; iw < w1; iw++ {
						src := xi[(ih*g.w+iw)*c : (ih*g.w+iw+1)*c]
						for i, v := range src {
							dst[i] += v
						}
					}
				}
				for i := range dst {
					dst[i] *= inv
				}
			}
		}
	})
	return nil
}

// maxWindow writes the channel-wise maximum over rows h0..h1-1 and columns
// w0..w1-1 of one image into dst, and the positions of the maxima (the first
// one in scan order on ties) within the window whose corner is (hs, ws) into
// idx, as ki·kw+kj. When idx is nil it only takes the maxima.
func (l *poolLayer) maxWindow(xi, dst []float32, idx []int32, hs, ws, h0, h1, w0, w1 int) {
	g := &l.win
	c := g.c
	first := (h0*g.w + w0) * c
	copy(dst, xi[first:first+c])
	if idx == nil {
		for ih := h0; ih < h1; ih++ {
			for iw := w0; iw < w1; iw++ {
				if ih != h0 || iw != w0 {
					o := (ih*g.w + iw) * c
					vecMax(dst, xi[o:o+c])
				}
			}
		}
		return
	}
	k0 := int32((h0-hs)*g.kw + w0 - ws)
	for i := range idx {
		idx[i] = k0
	}
	for ih := h0; ih < h1; ih++ {
		for iw := w0; iw < w1; iw++ {
			if ih == h0 && iw == w0 {
				continue
			}
			o := (ih*g.w + iw) * c
			vecMaxIdx(dst, idx, xi[o:o+c], int32((ih-hs)*g.kw+iw-ws))
		}
	}
}

// Backward routes each output gradient to the input maximum (max pooling) or
// spreads it evenly over the window (average pooling).
func (l *poolLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	if gradIn[0] == nil {
		return nil
	}
	if l.max && !l.haveArgmax {
		return fmt.Errorf("max pooling backward needs a training forward pass first")
	}
	g := &l.win
	gx, gy := gradIn[0].Data, gradOut.Data
	c := g.c
	parallelFor(g.n, 1, func(_, lo, hi int) {
		for n := lo; n < hi; n++ {
			gi := gx[n*l.inPerImage : (n+1)*l.inPerImage]
			go0 := gy[n*l.outPerImage : (n+1)*l.outPerImage]
			if l.max {
				l.maxBackward(gi, go0, l.argmax[n*l.outPerImage:(n+1)*l.outPerImage])
				continue
			}
			clear(gi)
			for oh := 0; oh < g.oh; oh++ {
				h0, h1, ph := span(oh*g.sh-g.pt, g.kh, g.h, g.pb)
				for ow := 0; ow < g.ow; ow++ {
					w0, w1, pw := span(ow*g.sw-g.pl, g.kw, g.w, g.pr)
					inv := l.avgScale(h0, h1, ph, w0, w1, pw)
					src := go0[(oh*g.ow+ow)*c : (oh*g.ow+ow+1)*c]
					for ih := h0; ih < h1; ih++ {
						for iw := w0; iw < w1; iw++ {
							dst := gi[(ih*g.w+iw)*c : (ih*g.w+iw+1)*c]
							for i, v := range src {
								dst[i] += v * inv
							}
						}
					}
				}
			}
		}
	})
	return nil
}

// maxBackward routes one image's output gradient gy to the argmax positions
// in gi. Output row by output row, it clears the input rows the row's windows
// cover and scatters into them while they are in cache; when windows
// overlap, rows shared with the previous output row are not cleared again.
func (l *poolLayer) maxBackward(gi, gy []float32, idx []int32) {
	g := &l.win
	c := g.c
	if g.sh == g.kh && g.sw == g.kw && g.pt+g.pl+g.pb+g.pr == 0 && !l.ceil {
		l.tiledMaxBackward(gi, gy, idx)
		return
	}
	rowLen := g.w * c
	cleared := 0 // input rows [0, cleared) are cleared
	for oh := 0; oh < g.oh; oh++ {
		_, h1, _ := span(oh*g.sh-g.pt, g.kh, g.h, g.pb)
		if h1 > cleared {
			clear(gi[cleared*rowLen : h1*rowLen])
			cleared = h1
		}
		for ow := 0; ow < g.ow; ow++ {
			corner := ((oh*g.sh-g.pt)*g.w + ow*g.sw - g.pl) * c
			o := (oh*g.ow + ow) * c
			src := gy[o : o+c]
			for i, k := range idx[o : o+c][:len(src)] {
				gi[corner+l.kernOff[k]+i] += src[i]
			}
		}
	}
	clear(gi[cleared*rowLen:])
}

// tiledMaxBackward is maxBackward for windows that tile the input without
// overlap or padding (such as 2×2 with stride 2): every input position is
// written once, with its window's gradient or zero, so nothing is cleared
// first except the rows and columns no window covers.
func (l *poolLayer) tiledMaxBackward(gi, gy []float32, idx []int32) {
	g := &l.win
	c := g.c
	for oh := 0; oh < g.oh; oh++ {
		for ow := 0; ow < g.ow; ow++ {
			o := (oh*g.ow + ow) * c
			src, id := gy[o:o+c], idx[o:o+c]
			for ki := 0; ki < g.kh; ki++ {
				base := ((oh*g.kh+ki)*g.w + ow*g.kw) * c
				for kj := 0; kj < g.kw; kj++ {
					vecSelectIdx(gi[base+kj*c:base+(kj+1)*c], src, id, int32(ki*g.kw+kj))
				}
			}
		}
		if covered := g.ow * g.kw; covered < g.w {
			for ih := oh * g.kh; ih < (oh+1)*g.kh; ih++ {
				clear(gi[(ih*g.w+covered)*c : (ih+1)*g.w*c])
			}
		}
	}
	clear(gi[g.oh*g.kh*g.w*c:])
}
