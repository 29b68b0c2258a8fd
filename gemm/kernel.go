package gemm

// microKernel multiplies an mr×k panel of A by a k×nr panel of B (nr
// contiguous values per step of k, steps sb apart: sb = nr when packed) and
// stores alpha·AB + beta·C into the full mr×nr tile at c, whose rows are ldc
// apart. beta == 0 means C is written without
// being read. How the panel of A is laid out, with stride sa, depends on the
// kernel: see kernel.steps and kernel.rows.
type microKernel func(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

// kernel is a pair of micro-kernels together with the tile shape they
// compute and the cache blocking that suits them.
type kernel struct {
	name string
	mr   int
	nr   int
	kc   int // depth of a packed block
	mc   int // rows of A per block, kept in L2 while panels of B pass (a multiple of mr)
	nc   int // columns of B packed at once (a multiple of nr)
	// steps reads A as k steps of mr contiguous values, sa apart: a packed
	// panel (sa = mr), or a transposed A in place (sa = lda).
	steps microKernel
	// rows reads A as mr rows of k contiguous values, sa apart: a
	// non-transposed A in place (sa = lda).
	rows microKernel
	// narrow, when not nil, computes tiles half as wide, for panels of B
	// with no more than nr/2 columns. Only its mr, nr, steps and rows are
	// used.
	narrow *kernel
}

// genericMR and genericNR are the tile shape of the portable kernel.
const (
	genericMR = 4
	genericNR = 4
)

// genericKernel is the portable micro-kernel, written in plain Go.
var genericKernel = &kernel{
	name: "generic", mr: genericMR, nr: genericNR,
	kc: 256, mc: 64, nc: 1024,
	steps: func(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32) {
		kernGeneric(k, a, sa, 1, b, sb, c, ldc, alpha, beta)
	},
	rows: func(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32) {
		kernGeneric(k, a, 1, sa, b, sb, c, ldc, alpha, beta)
	},
}

// kernGeneric is the pure-Go 4×4 micro-kernel. Element (i, p) of the panel
// of A is at a[p*step+i*row], element (p, j) of B at b[p*sb+j]. The
// accumulators are separate variables so that the compiler can keep them in
// registers.
func kernGeneric(k int, a *float32, step, row int, b *float32, sb int, c *float32, ldc int, alpha, beta float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	if k > 0 {
		as := unsafeSlice(a, (k-1)*step+(genericMR-1)*row+1)
		bs := unsafeSlice(b, (k-1)*sb+genericNR)
		for p := 0; p < k; p++ {
			bv := bs[p*sb : p*sb+genericNR : p*sb+genericNR]
			av := as[p*step : p*step+(genericMR-1)*row+1]
			b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
			a0, a1, a2, a3 := av[0], av[row], av[2*row], av[3*row]
			c00, c01, c02, c03 = c00+a0*b0, c01+a0*b1, c02+a0*b2, c03+a0*b3
			c10, c11, c12, c13 = c10+a1*b0, c11+a1*b1, c12+a1*b2, c13+a1*b3
			c20, c21, c22, c23 = c20+a2*b0, c21+a2*b1, c22+a2*b2, c23+a2*b3
			c30, c31, c32, c33 = c30+a3*b0, c31+a3*b1, c32+a3*b2, c33+a3*b3
		}
	}
	acc := [genericMR][genericNR]float32{
		{c00, c01, c02, c03}, {c10, c11, c12, c13},
		{c20, c21, c22, c23}, {c30, c31, c32, c33},
	}
	cs := unsafeSlice(c, (genericMR-1)*ldc+genericNR)
	for i := range acc {
		row := cs[i*ldc : i*ldc+genericNR]
		if beta == 0 {
			for j := range row {
				row[j] = alpha * acc[i][j]
			}
			continue
		}
		for j := range row {
			row[j] = alpha*acc[i][j] + beta*row[j]
		}
	}
}
