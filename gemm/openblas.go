//go:build (linux || darwin || freebsd) && (amd64 || arm64)

package gemm

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/ebitengine/purego"
)

// libraryNames are the OpenBLAS shared libraries tried, in order: by name
// through the dynamic loader's search path, then where Homebrew puts them on
// macOS, outside that path.
var libraryNames = []string{
	"libopenblas.so.0", "libopenblas.so", "libopenblas.0.dylib", "libopenblas.dylib",
	"/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
	"/usr/local/opt/openblas/lib/libopenblas.dylib",
}

// CBLAS constants for cblas_sgemm.
const (
	cblasRowMajor = 101
	cblasNoTrans  = 111
	cblasTrans    = 112
)

// openBLAS is a loaded OpenBLAS library.
type openBLAS struct {
	lib   string
	sgemm func(order, transA, transB, m, n, k int32, alpha float32, a *float32, lda int32, b *float32, ldb int32, beta float32, c *float32, ldc int32)
}

// loadOpenBLAS opens the first library in names that the dynamic loader finds,
// binds cblas_sgemm and sets its thread count to the number of CPUs.
func loadOpenBLAS(names []string) (*openBLAS, error) {
	var errs []error
	for _, name := range names {
		h, err := purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_LOCAL)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := purego.Dlsym(h, "cblas_sgemm"); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		lib := &openBLAS{lib: name}
		purego.RegisterLibFunc(&lib.sgemm, h, "cblas_sgemm")
		if _, err := purego.Dlsym(h, "openblas_set_num_threads"); err == nil {
			var setThreads func(int32)
			purego.RegisterLibFunc(&setThreads, h, "openblas_set_num_threads")
			setThreads(int32(runtime.NumCPU()))
		}
		return lib, nil
	}
	return nil, fmt.Errorf("loading OpenBLAS: %w", errors.Join(errs...))
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
