package nn

// window describes a 2-D sliding window over an NHWC input: the input and
// output sizes, kernel, stride, padding [top, left, bottom, right] and
// dilation.
type window struct {
	n, h, w, c     int
	oh, ow         int
	kh, kw         int
	sh, sw         int
	pt, pl, pb, pr int
	dh, dw         int
}

// convOut returns the output size of a convolution along one axis, or a
// value < 1 when the kernel does not fit.
func convOut(in, k, s, padA, padB, d int) int {
	return (in+padA+padB-d*(k-1)-1)/s + 1
}

// im2col writes, for images n0..n1-1 and input channels c0..c0+cg-1, one row
// per output pixel holding the kh·kw·cg input values its kernel covers (zero
// where it covers padding), in (kh, kw, c) order.
func (g *window) im2col(in, col []float32, n0, n1, c0, cg int) {
	parallelFor((n1-n0)*g.oh, 1, func(_, lo, hi int) {
		g.im2colRows(in, col, n0, c0, cg, lo, hi)
	})
}

// im2colOn is im2col, on the calling goroutine alone when serial is set.
func (g *window) im2colOn(serial bool, in, col []float32, n0, n1, c0, cg int) {
	if serial {
		g.im2colRows(in, col, n0, c0, cg, 0, (n1-n0)*g.oh)
		return
	}
	g.im2col(in, col, n0, n1, c0, cg)
}

// im2colRows is im2col on the calling goroutine for the output rows lo..hi-1
// counted from the start of image n0, each one output row of one image.
func (g *window) im2colRows(in, col []float32, n0, c0, cg, lo, hi int) {
	k := g.kh * g.kw * cg
	i0, i1 := g.interior(cg)
	for r := lo; r < hi; r++ {
		n, oh := n0+r/g.oh, r%g.oh
		base := r * g.ow * k
		for ow := 0; ow < g.ow; ow++ {
			if ow == i0 && i1 > i0 {
				g.gatherInterior(in, col[base:base+g.ow*k], n, oh, i0, i1)
				ow = i1 - 1
				continue
			}
			dst := col[base+ow*k : base+(ow+1)*k]
			g.gatherPixel(in, dst, n, oh, ow, c0, cg)
		}
	}
}

// interior returns the output columns [i0, i1) whose kernel rows are each
// one contiguous run of the input (dilation 1, all channels, no padding
// columns), or an empty range when there are none.
func (g *window) interior(cg int) (i0, i1 int) {
	if g.dw != 1 || cg != g.c {
		return 0, 0
	}
	i0 = (g.pl + g.sw - 1) / g.sw
	if g.w+g.pl < g.kw {
		return 0, 0
	}
	i1 = min(g.ow, (g.w+g.pl-g.kw)/g.sw+1)
	return i0, max(i0, i1)
}

// gatherInterior fills the im2col rows of output pixels (n, oh, i0..i1-1),
// which interior reported, into row, the im2col rows of the whole output
// row. It goes kernel row by kernel row, so the inner loop is a run of
// copies with no per-pixel bounds logic.
func (g *window) gatherInterior(in, row []float32, n, oh, i0, i1 int) {
	run := g.kw * g.c
	k := g.kh * run
	for ki := 0; ki < g.kh; ki++ {
		ih := oh*g.sh - g.pt + ki*g.dh
		if ih < 0 || ih >= g.h {
			for ow := i0; ow < i1; ow++ {
				clear(row[ow*k+ki*run : ow*k+(ki+1)*run])
			}
			continue
		}
		src := in[(n*g.h+ih)*g.w*g.c:]
		step := g.sw * g.c
		o := (i0*g.sw - g.pl) * g.c
		for ow := i0; ow < i1; ow++ {
			d := ow*k + ki*run
			copyRun(row[d:d+run], src[o:o+run])
			o += step
		}
	}
}

// gatherPixel fills dst with the kernel window of output pixel (n, oh, ow).
func (g *window) gatherPixel(in, dst []float32, n, oh, ow, c0, cg int) {
	i := 0
	for ki := 0; ki < g.kh; ki++ {
		ih := oh*g.sh - g.pt + ki*g.dh
		if ih < 0 || ih >= g.h {
			clear(dst[i : i+g.kw*cg])
			i += g.kw * cg
			continue
		}
		rowBase := (n*g.h + ih) * g.w
		iw0 := ow*g.sw - g.pl
		if g.dw == 1 && cg == g.c && iw0 >= 0 && iw0+g.kw <= g.w {
			// The whole kernel row is one contiguous run of the input.
			o := (rowBase + iw0) * g.c
			copyRun(dst[i:i+g.kw*cg], in[o:o+g.kw*cg])
			i += g.kw * cg
			continue
		}
		for kj := 0; kj < g.kw; kj++ {
			iw := iw0 + kj*g.dw
			if iw < 0 || iw >= g.w {
				clear(dst[i : i+cg])
			} else {
				o := (rowBase+iw)*g.c + c0
				copyRun(dst[i:i+cg], in[o:o+cg])
			}
			i += cg
		}
	}
}

// copyRun copies src to dst; short runs (a few channels) use a loop, which
// beats the call overhead of copy.
func copyRun(dst, src []float32) {
	if len(src) > 16 {
		copy(dst, src)
		return
	}
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = v
	}
}

// col2im adds the column gradients col, laid out as im2col's output, into
// the input gradient gin for images n0..n1-1 and channels c0..c0+cg-1. When
// clearFirst is set it first clears each image's gradient (all channels),
// just before accumulating into it while it is in cache. Images are
// processed in parallel; each writes only its own part of gin.
func (g *window) col2im(col, gin []float32, n0, n1, c0, cg int, clearFirst bool) {
	parallelFor(n1-n0, 1, func(_, lo, hi int) {
		g.col2imImages(col, gin, n0, c0, cg, clearFirst, lo, hi)
	})
}

// col2imImages is col2im on the calling goroutine for the images
// n0+lo..n0+hi-1.
func (g *window) col2imImages(col, gin []float32, n0, c0, cg int, clearFirst bool, lo, hi int) {
	k := g.kh * g.kw * cg
	img := g.h * g.w * g.c
	i0, i1 := g.interior(cg)
	for ni := lo; ni < hi; ni++ {
		n := n0 + ni
		if clearFirst {
			clear(gin[n*img : (n+1)*img])
		}
		for oh := 0; oh < g.oh; oh++ {
			base := (ni*g.oh + oh) * g.ow * k
			for ow := 0; ow < g.ow; ow++ {
				if ow == i0 && i1 > i0 {
					g.scatterInterior(col[base:base+g.ow*k], gin, n, oh, i0, i1)
					ow = i1 - 1
					continue
				}
				g.scatterPixel(col[base+ow*k:base+(ow+1)*k], gin, n, oh, ow, c0, cg)
			}
		}
	}
}

// scatterInterior adds row, the im2col gradient rows of the whole output
// row oh of image n, into gin for the output pixels i0..i1-1 that interior
// reported; it mirrors gatherInterior.
func (g *window) scatterInterior(row, gin []float32, n, oh, i0, i1 int) {
	run := g.kw * g.c
	k := g.kh * run
	step := g.sw * g.c
	for ki := 0; ki < g.kh; ki++ {
		ih := oh*g.sh - g.pt + ki*g.dh
		if ih < 0 || ih >= g.h {
			continue
		}
		dst := gin[(n*g.h+ih)*g.w*g.c:]
		o := (i0*g.sw - g.pl) * g.c
		for ow := i0; ow < i1; ow++ {
			d := ow*k + ki*run
			vecAdd(dst[o:o+run], row[d:d+run])
			o += step
		}
	}
}

// scatterPixel adds src, the gradient of output pixel (n, oh, ow)'s kernel
// window, into gin.
func (g *window) scatterPixel(src, gin []float32, n, oh, ow, c0, cg int) {
	i := 0
	for ki := 0; ki < g.kh; ki++ {
		ih := oh*g.sh - g.pt + ki*g.dh
		if ih < 0 || ih >= g.h {
			i += g.kw * cg
			continue
		}
		rowBase := (n*g.h + ih) * g.w
		iw0 := ow*g.sw - g.pl
		if g.dw == 1 && cg == g.c && iw0 >= 0 && iw0+g.kw <= g.w {
			o := (rowBase + iw0) * g.c
			vecAdd(gin[o:o+g.kw*cg], src[i:i+g.kw*cg])
			i += g.kw * cg
			continue
		}
		for kj := 0; kj < g.kw; kj++ {
			iw := iw0 + kj*g.dw
			if iw >= 0 && iw < g.w {
				o := (rowBase+iw)*g.c + c0
				vecAdd(gin[o:o+cg], src[i:i+cg])
			}
			i += cg
		}
	}
}
