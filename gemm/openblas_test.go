//go:build (linux || darwin || freebsd || windows) && (amd64 || arm64) && !static

package gemm

import (
	"strings"
	"testing"
	"unsafe"
)

// goSgemm is cblas_sgemm (row-major) computed by the portable Go kernel,
// with scalars changed by tweak first, standing in for a library bound with
// a right or a wrong calling convention.
func goSgemm(tweak func(alpha, beta float32) (float32, float32)) sgemmFunc {
	return func(order, transA, transB, m, n, k int32, alpha float32, a *float32, lda int32, b *float32, ldb int32, beta float32, c *float32, ldc int32) {
		alpha, beta = tweak(alpha, beta)
		rowsA, rowsB := m, k // rows of the stored matrices
		if transA == cblasTrans {
			rowsA = k
		}
		if transB == cblasTrans {
			rowsB = n
		}
		as := unsafe.Slice(a, int(rowsA*lda))
		bs := unsafe.Slice(b, int(rowsB*ldb))
		cs := unsafe.Slice(c, int(m*ldc))
		sgemm(&state{kern: genericKernel}, transA == cblasTrans, transB == cblasTrans, int(m), int(n), int(k),
			alpha, as, int(lda), bs, int(ldb), beta, cs, int(ldc))
	}
}

// TestCheckSgemm checks that a binding of cblas_sgemm is accepted only when
// it multiplies correctly.
func TestCheckSgemm(t *testing.T) {
	tests := []struct {
		name  string
		tweak func(alpha, beta float32) (float32, float32)
		ok    bool
	}{
		{"right", func(a, b float32) (float32, float32) { return a, b }, true},
		{"scalars swapped", func(a, b float32) (float32, float32) { return b, a }, false},
		{"alpha lost", func(a, b float32) (float32, float32) { return 0, b }, false},
		{"beta lost", func(a, b float32) (float32, float32) { return a, 0 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkSgemm(goSgemm(tt.tweak))
			if (err == nil) != tt.ok {
				t.Fatalf("checkSgemm = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "cblas_sgemm gave") {
				t.Errorf("error %q does not say what went wrong", err)
			}
		})
	}
	lib, err := openBLASLib()
	if err != nil {
		openBLASMissing(t, err)
		return
	}
	if err := checkSgemm(lib.sgemm); err != nil {
		t.Errorf("%s: %v", lib.lib, err)
	}
}
