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
// of A is at a[p*step+i*row], element (p, j) of B at b[p*sb+j].
func kernGeneric(k int, a *float32, step, row int, b *float32, sb int, c *float32, ldc int, alpha, beta float32) {
	var acc [genericMR * genericNR]float32
	if k > 0 {
		as := unsafeSlice(a, (k-1)*step+(genericMR-1)*row+1)
		bs := unsafeSlice(b, (k-1)*sb+genericNR)
		for p := 0; p < k; p++ {
			bv := bs[p*sb : p*sb+genericNR : p*sb+genericNR]
			b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
			for i := 0; i < genericMR; i++ {
				x := as[p*step+i*row]
				acc[i*4+0] += x * b0
				acc[i*4+1] += x * b1
				acc[i*4+2] += x * b2
				acc[i*4+3] += x * b3
			}
		}
	}
	cs := unsafeSlice(c, (genericMR-1)*ldc+genericNR)
	for i := 0; i < genericMR; i++ {
		row := cs[i*ldc : i*ldc+genericNR]
		if beta == 0 {
			for j := range row {
				row[j] = alpha * acc[i*genericNR+j]
			}
			continue
		}
		for j := range row {
			row[j] = alpha*acc[i*genericNR+j] + beta*row[j]
		}
	}
}
