package gemm

import "sync"

// workspace holds one goroutine's packing buffers for one kernel's blocking.
type workspace struct {
	a, b, tile []float32
}

var workspaces = sync.Pool{New: func() any { return new(workspace) }}

// grow returns s resized to n values, reusing its storage when it can.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// reserve sizes the buffers for kern.
func (w *workspace) reserve(kern *kernel) {
	w.a = grow(w.a, kern.mc*kern.kc)
	w.b = grow(w.b, kern.kc*kern.nc)
	w.tile = grow(w.tile, kern.mr*kern.nr)
}

// serial computes C = alpha·op(A)·op(B) + beta·C for an m×n×k problem on the
// calling goroutine, with k > 0. C has row stride ldc.
func serial(kern *kernel, ws *workspace, m, n, k int, alpha float32, a, b matrix, beta float32, c []float32, ldc int) {
	for jc := 0; jc < n; jc += kern.nc {
		nc := min(kern.nc, n-jc)
		for pc := 0; pc < k; pc += kern.kc {
			kc := min(kern.kc, k-pc)
			packB(ws.b, b.sub(pc, jc), kc, nc, kern.nr)
			blockBeta := beta
			if pc > 0 {
				blockBeta = 1
			}
			for ic := 0; ic < m; ic += kern.mc {
				mc := min(kern.mc, m-ic)
				packA(ws.a, a.sub(ic, pc), mc, kc, kern.mr)
				macroKernel(kern, ws, mc, nc, kc, alpha, blockBeta, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

// macroKernel multiplies the packed mc×kc block of A by the packed kc×nc
// block of B into C, one mr×nr tile at a time. Tiles cut by the edge of C
// are computed into a scratch tile first.
func macroKernel(kern *kernel, ws *workspace, mc, nc, kc int, alpha, beta float32, c []float32, ldc int) {
	mr, nr := kern.mr, kern.nr
	for jr := 0; jr < nc; jr += nr {
		w := min(nr, nc-jr)
		bp := &ws.b[jr*kc]
		for ir := 0; ir < mc; ir += mr {
			h := min(mr, mc-ir)
			ap := &ws.a[ir*kc]
			if h == mr && w == nr {
				kern.fn(kc, ap, bp, &c[ir*ldc+jr], ldc, alpha, beta)
				continue
			}
			kern.fn(kc, ap, bp, &ws.tile[0], nr, alpha, 0)
			mergeTile(c[ir*ldc+jr:], ldc, ws.tile, nr, h, w, beta)
		}
	}
}

// mergeTile stores t + beta·C into the h×w corner of C; t has row stride ldt.
// beta == 0 overwrites C without reading it.
func mergeTile(c []float32, ldc int, t []float32, ldt, h, w int, beta float32) {
	for i := 0; i < h; i++ {
		dst := c[i*ldc : i*ldc+w]
		src := t[i*ldt : i*ldt+w]
		if beta == 0 {
			copy(dst, src)
			continue
		}
		for j, v := range src {
			dst[j] = v + beta*dst[j]
		}
	}
}

// scale sets the m×n matrix C to beta·C; beta == 0 writes zeros without
// reading C.
func scale(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
}
