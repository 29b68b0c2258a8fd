package gemm

// microKernel multiplies a packed mr×k panel of A (mr values per step of k)
// by a packed k×nr panel of B (nr values per step) and stores
// alpha·AB + beta·C into the full mr×nr tile at c, whose rows are ldc apart.
// beta == 0 means C is written without being read.
type microKernel func(k int, a, b, c *float32, ldc int, alpha, beta float32)

// kernel is a micro-kernel together with the tile shape it computes and the
// cache blocking that suits it.
type kernel struct {
	name string
	mr   int
	nr   int
	kc   int // depth of a packed block
	mc   int // rows of A packed at once (a multiple of mr)
	nc   int // columns of B packed at once (a multiple of nr)
	fn   microKernel
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
	fn: kernGeneric,
}

// kernGeneric is the pure-Go 4×4 micro-kernel.
func kernGeneric(k int, a, b, c *float32, ldc int, alpha, beta float32) {
	var acc [genericMR * genericNR]float32
	if k > 0 {
		ap := unsafeSlice(a, k*genericMR)
		bp := unsafeSlice(b, k*genericNR)
		for p := 0; p < k; p++ {
			av := ap[p*genericMR : p*genericMR+genericMR : p*genericMR+genericMR]
			bv := bp[p*genericNR : p*genericNR+genericNR : p*genericNR+genericNR]
			b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
			for i, x := range av {
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
