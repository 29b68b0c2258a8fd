//go:build !((linux || darwin || freebsd) && (amd64 || arm64))

package gemm

import "errors"

// libraryNames are the OpenBLAS shared libraries tried, in order.
var libraryNames []string

// openBLAS stands for OpenBLAS on systems where it cannot be loaded.
type openBLAS struct{ lib string }

// loadOpenBLAS reports that this build cannot load OpenBLAS.
func loadOpenBLAS(names []string) (*openBLAS, error) {
	return nil, errors.New("loading OpenBLAS: not supported on this system")
}

// call is never reached: no openBLAS value exists on this system.
func (o *openBLAS) call(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
}
