//go:build !((linux || darwin || freebsd || windows) && (amd64 || arm64)) || static

package gemm

import "errors"

// libraryNames are the OpenBLAS shared libraries tried, in order: none in a
// static build (-tags static) or on a system where this package cannot load
// one.
var libraryNames []string

// openBLAS stands for OpenBLAS where it cannot be loaded.
type openBLAS struct{ lib string }

// loadOpenBLAS reports that this build cannot load OpenBLAS.
func loadOpenBLAS(names []string) (*openBLAS, error) {
	return nil, errors.New("loading OpenBLAS: not supported by this build (a static build, or a system without run-time loading); the Go kernels run instead")
}

// call is never reached: no openBLAS value exists in this build.
func (o *openBLAS) call(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
}
