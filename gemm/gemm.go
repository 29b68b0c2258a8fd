// Package gemm multiplies float32 matrices: C = alpha·op(A)·op(B) + beta·C.
//
// Matrices are row-major. Two implementations give the same results within
// 1e-5 relative:
//
//   - OpenBLAS, loaded at run time without cgo (through purego) when the
//     machine has libopenblas.so.0, with its thread count set to the number
//     of CPUs. This is the default when it loads. Problems below a size
//     that depends on the Go kernel still take the Go path, where OpenBLAS
//     is slower (see blasCutoff).
//   - A pure-Go blocked GEMM: B is packed in cache-sized blocks, A is read
//     in place, and register-tiled assembly micro-kernels (on amd64
//     AVX-512 14×32 and 14×16 or AVX2/FMA 6×16, on arm64 NEON 12×8 and
//     12×4, chosen by CPU feature detection) or a portable Go kernel
//     compute the tiles. Large problems are split across
//     GOMAXPROCS goroutines by rows, columns or depth. This is what a
//     binary built with CGO_ENABLED=0 uses on a machine without OpenBLAS.
//
// MLABEL_GEMM=go or MLABEL_GEMM=openblas forces one of them; Init reports an
// unusable value, SetBackend switches at run time, and Describe names the
// implementation in use, such as "openblas (libopenblas.so.0; go avx512
// below 2147 MFLOP)", "go (avx512)" or "go (neon)". The choice is made on
// first use, so importing the package costs nothing.
//
// The package builds with CGO_ENABLED=0 and on any architecture; the build
// tag purego leaves out the assembly. The assembly is generated: run
// go generate in this directory after changing internal/kernelgen.
package gemm

import (
	"fmt"
	"math"
)

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(X) is X or its transpose. op(A) is m×k, op(B) is k×n and C is m×n; lda,
// ldb and ldc are the row strides of the stored A, B and C. When beta is 0,
// C's previous contents are ignored, so they may be NaN.
//
// Sgemm is safe for concurrent use. Like slice indexing, it panics when the
// arguments describe matrices that do not fit in the slices; Check reports
// the same condition as an error.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if err := Check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
		panic(err)
	}
	sgemm(current(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmSerial is Sgemm computed on the calling goroutine alone, for callers
// that run several independent products at once, one per core. Problems for
// which Serial reports false go to OpenBLAS, which uses its own threads.
func SgemmSerial(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if err := Check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
		panic(err)
	}
	sgemmOn(current(), true, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Serial reports whether SgemmSerial computes an m×n×k product on the
// calling goroutine alone, on the Go path, rather than handing it to
// OpenBLAS.
func Serial(m, n, k int) bool {
	st := current()
	return st.blas == nil || 2*m*n*k < st.blasMinFlops || !fitsInt32(m, n, k)
}

// sgemm is Sgemm on the backend st, for arguments that Check accepted.
func sgemm(st *state, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmOn(st, false, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmOn is sgemm, on the calling goroutine alone when serial is set and
// the problem takes the Go path.
func sgemmOn(st *state, serial, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	if st.blas != nil && 2*m*n*k >= st.blasMinFlops && fitsInt32(m, n, k, lda, ldb, ldc) {
		st.blas.call(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	pr := problem{
		kern: st.kern, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: matrix{data: a, ld: lda, trans: transA},
		b: matrix{data: b, ld: ldb, trans: transB},
		c: c, ldc: ldc,
	}
	if serial {
		pr.solve(0, m, 0, n, 0, k, nil)
		return
	}
	runGo(&pr)
}

// Check reports whether Sgemm's arguments are consistent: non-negative sizes,
// row strides at least as large as the stored rows, and slices long enough
// for the matrices they hold.
func Check(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) error {
	if m < 0 || n < 0 || k < 0 {
		return fmt.Errorf("gemm: negative size m=%d n=%d k=%d", m, n, k)
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if err := checkMatrix("a", a, ar, ac, lda); err != nil {
		return err
	}
	if err := checkMatrix("b", b, br, bc, ldb); err != nil {
		return err
	}
	return checkMatrix("c", c, m, n, ldc)
}

// checkMatrix checks one stored rows×cols matrix with row stride ld.
func checkMatrix(name string, x []float32, rows, cols, ld int) error {
	if ld < max(1, cols) {
		return fmt.Errorf("gemm: ld%s=%d is less than max(1, %d columns of %s)", name, ld, cols, name)
	}
	if rows == 0 || cols == 0 {
		return nil
	}
	if need := (rows-1)*ld + cols; len(x) < need {
		return fmt.Errorf("gemm: %s has %d values, a %d×%d matrix with row stride %d needs %d", name, len(x), rows, cols, ld, need)
	}
	return nil
}

// fitsInt32 reports whether all values fit OpenBLAS's 32-bit integers.
func fitsInt32(v ...int) bool {
	for _, x := range v {
		if x > math.MaxInt32 {
			return false
		}
	}
	return true
}
