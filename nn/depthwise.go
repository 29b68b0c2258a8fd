package nn

// depthwiseForward computes a depthwise convolution (one filter per channel)
// directly, without im2col: each output row accumulates weighted input rows
// channel-wise. Rows of the output are processed in parallel.
func (l *convLayer) depthwiseForward(x, y []float32) {
	g := &l.win
	c := g.c
	w := l.weight.Value.Data
	parallelFor(g.n*g.oh, 1, func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			n, oh := r/g.oh, r%g.oh
			orow := y[r*g.ow*c : (r+1)*g.ow*c]
			clear(orow)
			for ki := 0; ki < g.kh; ki++ {
				ih := oh*g.sh - g.pt + ki*g.dh
				if ih < 0 || ih >= g.h {
					continue
				}
				irow := x[(n*g.h+ih)*g.w*c : (n*g.h+ih+1)*g.w*c]
				for kj := 0; kj < g.kw; kj++ {
					wk := w[(ki*g.kw+kj)*c : (ki*g.kw+kj+1)*c]
					for ow := 0; ow < g.ow; ow++ {
						iw := ow*g.sw - g.pl + kj*g.dw
						if iw < 0 || iw >= g.w {
							continue
						}
						vecMulAdd(orow[ow*c:(ow+1)*c], irow[iw*c:(iw+1)*c], wk)
					}
				}
			}
		}
	})
}

// depthwiseBackward adds the depthwise weight gradient when wantW and, when
// gx is not nil, writes the input gradient. Work is split by image: each part
// owns its images' input gradient and a private weight-gradient accumulator,
// summed at the end.
func (l *convLayer) depthwiseBackward(x, gy, gx []float32, wantW bool) {
	g := &l.win
	c := g.c
	w := l.weight.Value.Data
	kk := g.kh * g.kw * c
	parts := numParts(g.n, 1)
	part := &l.scratch().slots(scratchDWPart, 1)[0]
	*part = grow(*part, parts*kk)
	sums := *part
	clear(sums)
	parallelFor(g.n, 1, func(p, lo, hi int) {
		acc := sums[p*kk : (p+1)*kk]
		for n := lo; n < hi; n++ {
			if gx != nil {
				clear(gx[n*g.h*g.w*c : (n+1)*g.h*g.w*c])
			}
			for oh := 0; oh < g.oh; oh++ {
				gyr := gy[(n*g.oh+oh)*g.ow*c : (n*g.oh+oh+1)*g.ow*c]
				for ki := 0; ki < g.kh; ki++ {
					ih := oh*g.sh - g.pt + ki*g.dh
					if ih < 0 || ih >= g.h {
						continue
					}
					base := (n*g.h + ih) * g.w * c
					for kj := 0; kj < g.kw; kj++ {
						o := (ki*g.kw + kj) * c
						wk, ak := w[o:o+c], acc[o:o+c]
						for ow := 0; ow < g.ow; ow++ {
							iw := ow*g.sw - g.pl + kj*g.dw
							if iw < 0 || iw >= g.w {
								continue
							}
							gr := gyr[ow*c : (ow+1)*c]
							if wantW {
								vecMulAdd(ak, gr, x[base+iw*c:base+(iw+1)*c])
							}
							if gx != nil {
								vecMulAdd(gx[base+iw*c:base+(iw+1)*c], gr, wk)
							}
						}
					}
				}
			}
		}
	})
	if !wantW {
		return
	}
	dw := l.weight.Grad.Data
	for p := 0; p < parts; p++ {
		vecAdd(dw, sums[p*kk:(p+1)*kk])
	}
}
