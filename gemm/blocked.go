package gemm

import "sync"

// workspace holds one goroutine's packing buffers for one kernel's blocking.
type workspace struct {
	a, b, tile []float32
}

var workspaces freeList[workspace]

// freeList keeps values for reuse across calls. Unlike sync.Pool it never
// drops them, not under the race detector nor at a garbage collection, so a
// steady stream of calls does not allocate. It holds as many values as were
// ever in use at once.
type freeList[T any] struct {
	mu    sync.Mutex
	items []*T
}

// get returns a kept value, or a new zero one when none is left.
func (f *freeList[T]) get() *T {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.items)
	if n == 0 {
		return new(T)
	}
	x := f.items[n-1]
	f.items[n-1] = nil
	f.items = f.items[:n-1]
	return x
}

// put keeps x for a later get.
func (f *freeList[T]) put(x *T) {
	f.mu.Lock()
	f.items = append(f.items, x)
	f.mu.Unlock()
}

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

// packBMinRowTiles is the least number of row tiles over which a panel of
// a non-transposed B is packed; for fewer, packing costs more than reading B
// in place saves.
const packBMinRowTiles = 5

// serial computes C = alpha·op(A)·op(B) + beta·C for an m×n×k problem on the
// calling goroutine, with k > 0. C has row stride ldc.
//
// A is read where it lies, which measured faster than packing it for every
// shape tried, wide or narrow; so is a non-transposed B when few row tiles
// share it. Other B blocks are packed. A panel cut by the edge of the matrix
// is read in place when the slice extends far enough for the kernel's extra
// rows or columns, whose results are dropped; otherwise it is packed with
// zeros.
func serial(kern *kernel, ws *workspace, m, n, k int, alpha float32, a, b matrix, beta float32, c []float32, ldc int) {
	packAllB := b.trans || (m+kern.mr-1)/kern.mr >= packBMinRowTiles
	for jc := 0; jc < n; jc += kern.nc {
		nc := min(kern.nc, n-jc)
		for pc := 0; pc < k; pc += kern.kc {
			kc := min(kern.kc, k-pc)
			bb := block{m: b.sub(pc, jc), size: nc, depth: kc, packed: packAllB}
			bb.pack(ws.b, kern.nr)
			blockBeta := beta
			if pc > 0 {
				blockBeta = 1
			}
			for ic := 0; ic < m; ic += kern.mc {
				mc := min(kern.mc, m-ic)
				ab := block{m: a.sub(ic, pc), size: mc, depth: kc, rowsOfA: true}
				ab.pack(ws.a, kern.mr)
				macroKernel(kern, ws, ab, bb, alpha, blockBeta, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

// block is a block of op(A) (size rows by depth columns) or of op(B) (depth
// rows by size columns) that the macro-kernel multiplies, with how its
// micro-panels are read.
type block struct {
	m       matrix
	size    int
	depth   int
	rowsOfA bool
	packed  bool // every panel is packed, not only a partial last one (B only)
}

// inPlace reports whether the panel at offset off along size, with width
// values, can be read where it lies, for a block that is not all packed:
// always if it is whole, and if it is cut by the edge when the slice holds
// all of its width anyway.
func (bl block) inPlace(off, width, full int) bool {
	if width == full {
		return true
	}
	i, j := off+full-1, bl.depth-1
	if !bl.rowsOfA {
		i, j = j, i
	}
	idx := i*bl.m.ld + j
	if bl.m.trans {
		idx = j*bl.m.ld + i
	}
	return idx < len(bl.m.data)
}

// pack packs into dst the panels, of full values each, that cannot be read
// in place: all of them, or only a partial last one, which goes to dst[0:].
func (bl block) pack(dst []float32, full int) {
	if bl.packed {
		packB(dst, bl.m, bl.depth, bl.size, full)
		return
	}
	tail := bl.size % full
	off := bl.size - tail
	switch {
	case tail == 0 || bl.inPlace(off, tail, full):
	case bl.rowsOfA:
		packAPanel(dst, bl.m.sub(off, 0), bl.depth, tail, full)
	default:
		packB(dst, bl.m.sub(0, off), bl.depth, tail, full)
	}
}

// panelA returns the micro-kernel and the address and stride of A it reads
// for the panel of rows ir… of the block, h rows tall.
func panelA(kern *kernel, ws *workspace, a block, ir, h int) (microKernel, *float32, int) {
	switch {
	case !a.inPlace(ir, h, kern.mr) && a.m.trans:
		return kern.steps, &ws.a[0], kern.mr
	case !a.inPlace(ir, h, kern.mr):
		return kern.rows, &ws.a[0], a.depth
	case a.m.trans:
		return kern.steps, &a.m.data[ir], a.m.ld
	}
	return kern.rows, &a.m.data[ir*a.m.ld], a.m.ld
}

// panelB returns the address and step stride of the panel of B of columns
// jr… of the block, w columns wide.
func panelB(kern *kernel, ws *workspace, b block, jr, w int) (*float32, int) {
	switch {
	case b.packed:
		return &ws.b[jr*b.depth], kern.nr
	case !b.inPlace(jr, w, kern.nr):
		return &ws.b[0], kern.nr
	}
	return &b.m.data[jr], b.m.ld
}

// macroKernel multiplies block a of op(A) by block b of op(B) into C, one
// mr×nr tile at a time, or mr×nr/2 for a narrow last panel of B when the
// kernel has a narrow variant. Tiles cut by the edge of C are computed into a
// scratch tile first.
func macroKernel(kern *kernel, ws *workspace, a, b block, alpha, beta float32, c []float32, ldc int) {
	mr, kc := kern.mr, a.depth
	for jr := 0; jr < b.size; jr += kern.nr {
		w := min(kern.nr, b.size-jr)
		bp, sb := panelB(kern, ws, b, jr, w)
		tk := kern
		if kern.narrow != nil && w <= kern.narrow.nr {
			tk = kern.narrow
		}
		for ir := 0; ir < a.size; ir += mr {
			h := min(mr, a.size-ir)
			fn, ap, sa := panelA(tk, ws, a, ir, h)
			if h == mr && w == tk.nr {
				fn(kc, ap, sa, bp, sb, &c[ir*ldc+jr], ldc, alpha, beta)
				continue
			}
			fn(kc, ap, sa, bp, sb, &ws.tile[0], tk.nr, alpha, 0)
			mergeTile(c[ir*ldc+jr:], ldc, ws.tile, tk.nr, h, w, beta)
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
