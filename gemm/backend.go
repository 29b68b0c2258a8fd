package gemm

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// EnvVar names the environment variable that forces a backend: "go" or
// "openblas". Empty or "auto" picks OpenBLAS when it loads, else Go.
const EnvVar = "MLABEL_GEMM"

// Backend names.
const (
	BackendGo       = "go"
	BackendOpenBLAS = "openblas"
)

// state is the backend in use. blas is nil on the Go path. On the OpenBLAS
// path, problems of fewer than blasMinFlops floating-point operations run on
// the Go path instead.
type state struct {
	blas         *openBLAS
	kern         *kernel
	blasMinFlops int
}

// blasCutoff returns the smallest problem, in floating-point operations,
// that the OpenBLAS path hands to OpenBLAS when the Go path uses kern.
//
// Small problems cost OpenBLAS more in waking and synchronising its threads
// than they save. With the AVX-512 kernels the Go path also beats OpenBLAS
// (which OPENBLAS_CORETYPE may hold to older kernels) on every convolution
// shape in bench/gemm.sh, from 2 MFLOP to 600 MFLOP, by 1.3× to 5×, so
// OpenBLAS only takes the problems larger than those.
func blasCutoff(kern *kernel) int {
	if strings.HasPrefix(kern.name, "avx512") {
		return 1 << 31
	}
	return 1 << 22
}

var (
	active   atomic.Pointer[state]
	initOnce sync.Once
	initErr  error

	loadOnce sync.Once
	loaded   *openBLAS
	loadErr  error
)

// openBLASLib loads OpenBLAS once and returns it or the reason it failed.
func openBLASLib() (*openBLAS, error) {
	loadOnce.Do(func() { loaded, loadErr = loadOpenBLAS(libraryNames) })
	return loaded, loadErr
}

// bestKernel is the fastest micro-kernel this CPU runs.
func bestKernel() *kernel { return availableKernels()[0] }

// Init chooses the backend from MLABEL_GEMM, once; later calls return the
// first result. Sgemm calls it on first use. It returns an error when
// MLABEL_GEMM has an unknown value or forces OpenBLAS where OpenBLAS cannot
// be loaded; Sgemm then uses the Go path.
func Init() error {
	initOnce.Do(func() {
		name := os.Getenv(EnvVar)
		st, err := choose(name)
		if err != nil {
			st = &state{kern: bestKernel()}
			initErr = fmt.Errorf("gemm: %s=%q: %w", EnvVar, name, err)
		}
		active.Store(st)
	})
	return initErr
}

// SetBackend switches to the named backend ("go", "openblas", or "auto"/""
// for the default). It returns an error, and keeps the current backend, when
// the name is unknown or OpenBLAS cannot be loaded.
func SetBackend(name string) error {
	_ = Init() // Choose first, so that the environment cannot override name later.
	st, err := choose(name)
	if err != nil {
		return fmt.Errorf("gemm: setting backend %q: %w", name, err)
	}
	active.Store(st)
	return nil
}

// choose returns the named backend, or why it cannot be used. Names are
// matched without regard to case or surrounding space.
func choose(name string) (*state, error) {
	kern := bestKernel()
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "auto":
		lib, err := openBLASLib()
		if err != nil {
			return &state{kern: kern}, nil
		}
		return &state{blas: lib, kern: kern, blasMinFlops: blasCutoff(kern)}, nil
	case BackendGo:
		return &state{kern: kern}, nil
	case BackendOpenBLAS:
		lib, err := openBLASLib()
		if err != nil {
			return nil, err
		}
		return &state{blas: lib, kern: kern, blasMinFlops: blasCutoff(kern)}, nil
	}
	return nil, fmt.Errorf("unknown backend %q (want %q or %q)", name, BackendGo, BackendOpenBLAS)
}

// current returns the active backend, choosing it on first use.
func current() *state {
	if st := active.Load(); st != nil {
		return st
	}
	_ = Init() // On error Init falls back to Go and keeps the error for callers of Init.
	return active.Load()
}

// Backend names the implementation in use: "go" or "openblas".
func Backend() string {
	if current().blas != nil {
		return BackendOpenBLAS
	}
	return BackendGo
}

// Describe names the implementation in use with its detail, such as
// "openblas (libopenblas.so.0; go avx512 below 2147 MFLOP)" or
// "go (avx512)".
func Describe() string {
	st := current()
	if st.blas != nil {
		return fmt.Sprintf("%s (%s; go %s below %d MFLOP)", BackendOpenBLAS, st.blas.lib, st.kern.name, st.blasMinFlops/1e6)
	}
	return fmt.Sprintf("%s (%s)", BackendGo, st.kern.name)
}
