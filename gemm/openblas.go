//go:build (linux || darwin || freebsd || windows) && (amd64 || arm64) && !static

package gemm

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/ebitengine/purego"
)

// CBLAS constants for cblas_sgemm.
const (
	cblasRowMajor = 101
	cblasNoTrans  = 111
	cblasTrans    = 112
)

// sgemmFunc is the Go signature of cblas_sgemm.
type sgemmFunc func(order, transA, transB, m, n, k int32, alpha float32, a *float32, lda int32, b *float32, ldb int32, beta float32, c *float32, ldc int32)

// openBLAS is a loaded OpenBLAS library.
type openBLAS struct {
	lib   string
	sgemm sgemmFunc
}

// loadOpenBLAS opens the first library in names that the system's loader
// finds (openLibrary), binds cblas_sgemm, sets its thread count to the number
// of CPUs and checks that it multiplies correctly.
func loadOpenBLAS(names []string) (*openBLAS, error) {
	var errs []error
	for _, name := range names {
		h, err := openLibrary(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := lookupSymbol(h, "cblas_sgemm"); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		lib := &openBLAS{lib: name}
		purego.RegisterLibFunc(&lib.sgemm, h, "cblas_sgemm")
		if _, err := lookupSymbol(h, "openblas_set_num_threads"); err == nil {
			var setThreads func(int32)
			purego.RegisterLibFunc(&setThreads, h, "openblas_set_num_threads")
			setThreads(int32(runtime.NumCPU()))
		}
		if err := checkSgemm(lib.sgemm); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		return lib, nil
	}
	return nil, fmt.Errorf("loading OpenBLAS: %w", errors.Join(errs...))
}

// checkSgemm multiplies a small product through sgemm, with both transposes,
// alpha and beta, and reports an error unless the result is exact (its
// values are small integers). It catches a library whose calling
// convention does not match the binding, before it gives wrong results.
func checkSgemm(sgemm sgemmFunc) error {
	// A is 2×3, B is 3×2 stored transposed (as 2×3), C = 0.5·A·Bᵀᵀ + 2·C.
	a := []float32{1, 2, 3, 4, 5, 6}
	b := []float32{1, 0, 2, 3, 1, 0}
	c := []float32{1, 1, 1, 1}
	want := []float32{1*1 + 2*0 + 3*2, 1*3 + 2*1 + 3*0, 4*1 + 5*0 + 6*2, 4*3 + 5*1 + 6*0}
	for i := range want {
		want[i] = 0.5*want[i] + 2
	}
	sgemm(cblasRowMajor, cblasNoTrans, cblasTrans, 2, 2, 3, 0.5, &a[0], 3, &b[0], 3, 2, &c[0], 2)
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	for i := range want {
		if c[i] != want[i] {
			return fmt.Errorf("cblas_sgemm gave %v for a product whose result is %v: not used", c, want)
		}
	}
	return nil
}

// call runs cblas_sgemm on arguments that Check accepted, with m, n, k > 0.
func (o *openBLAS) call(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, tb := int32(cblasNoTrans), int32(cblasNoTrans)
	if transA {
		ta = cblasTrans
	}
	if transB {
		tb = cblasTrans
	}
	o.sgemm(cblasRowMajor, ta, tb, int32(m), int32(n), int32(k), alpha, &a[0], int32(lda), &b[0], int32(ldb), beta, &c[0], int32(ldc))
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	runtime.KeepAlive(c)
}
