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
	w.a = grow(w.a, kern.mr*kern.kc)
	w.b = grow(w.b, kern.kc*kern.nc)
	w.tile = grow(w.tile, kern.mr*kern.nr)
}

// serial computes C = alpha·op(A)·op(B) + beta·C for an m×n×k problem on the
// calling goroutine, with k > 0. C has row stride ldc.
//
// B is packed; A is read where it lies, which measured faster than packing
// it for every shape tried, wide or narrow. Only a last panel of fewer than
// mr rows is packed, padded with zero rows.
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
				blk := a.sub(ic, pc)
				if tail := mc % kern.mr; tail != 0 {
					packA(ws.a, blk.sub(mc-tail, 0), tail, kc, kern.mr)
				}
				macroKernel(kern, ws, blk, mc, nc, kc, alpha, blockBeta, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

// macroKernel multiplies the mc×kc block of op(A) at the origin of a by the
// packed kc×nc block of B into C, one mr×nr tile at a time. A is read in
// place, except a partial last panel, which packA has put in ws.a. Tiles cut
// by the edge of C are computed into a scratch tile first.
func macroKernel(kern *kernel, ws *workspace, a matrix, mc, nc, kc int, alpha, beta float32, c []float32, ldc int) {
	mr, nr := kern.mr, kern.nr
	for jr := 0; jr < nc; jr += nr {
		w := min(nr, nc-jr)
		bp := &ws.b[jr*kc]
		for ir := 0; ir < mc; ir += mr {
			h := min(mr, mc-ir)
			fn, ap, sa := kern.steps, &ws.a[0], mr
			switch {
			case h < mr:
			case a.trans:
				ap, sa = &a.data[ir], a.ld
			default:
				fn, ap, sa = kern.rows, &a.data[ir*a.ld], a.ld
			}
			if h == mr && w == nr {
				fn(kc, ap, sa, bp, &c[ir*ldc+jr], ldc, alpha, beta)
				continue
			}
			fn(kc, ap, sa, bp, &ws.tile[0], nr, alpha, 0)
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
