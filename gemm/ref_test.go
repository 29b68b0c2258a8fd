package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// testCase is one Sgemm call's shape and scalars. Extra stride pads every
// stored row by that many values.
type testCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	pad            int
}

func (tc testCase) String() string {
	return fmt.Sprintf("tA=%v,tB=%v,%dx%dx%d,alpha=%g,beta=%g,pad=%d", tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.pad)
}

// operands are the stored matrices of a test case.
type operands struct {
	a, b, c       []float32
	lda, ldb, ldc int
}

// sentinel marks values of C outside the m×n matrix, which Sgemm must not
// touch.
const sentinel = float32(-12345.5)

// makeOperands fills A and B with random values in [-1, 1) and C with random
// values, or NaN when beta is 0 so that any read of C shows up. The padding
// of A and B past their rows' ends is NaN too: kernels may read it, but its
// products must never reach C.
func makeOperands(tc testCase, rng *rand.Rand) operands {
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	o := operands{lda: max(1, ac) + tc.pad, ldb: max(1, bc) + tc.pad, ldc: max(1, tc.n) + tc.pad}
	o.a = randomSlice(ar, ac, o.lda, rng)
	o.b = randomSlice(br, bc, o.ldb, rng)
	o.c = make([]float32, tc.m*o.ldc)
	for i := range o.c {
		switch {
		case i%o.ldc >= tc.n:
			o.c[i] = sentinel
		case tc.beta == 0:
			o.c[i] = float32(math.NaN())
		default:
			o.c[i] = rng.Float32()*2 - 1
		}
	}
	return o
}

// randomSlice returns a rows×cols matrix with row stride ld of values in
// [-1, 1), with NaN in each row's padding.
func randomSlice(rows, cols, ld int, rng *rand.Rand) []float32 {
	s := make([]float32, rows*ld)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
		if i%ld >= cols {
			s[i] = float32(math.NaN())
		}
	}
	return s
}

// reference computes the expected C in float64, and for each element the
// magnitude |alpha|·Σ|a||b| + |beta·c| that scales its rounding error.
func reference(tc testCase, o operands) (want, mag []float64) {
	want = make([]float64, tc.m*tc.n)
	mag = make([]float64, tc.m*tc.n)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			var s, abs float64
			for p := 0; p < tc.k; p++ {
				ai, bi := i*o.lda+p, p*o.ldb+j
				if tc.transA {
					ai = p*o.lda + i
				}
				if tc.transB {
					bi = j*o.ldb + p
				}
				av, bv := o.a[ai], o.b[bi]
				s += float64(av) * float64(bv)
				abs += math.Abs(float64(av) * float64(bv))
			}
			v := float64(tc.alpha) * s
			m := math.Abs(float64(tc.alpha)) * abs
			if tc.beta != 0 {
				cv := float64(tc.beta) * float64(o.c[i*o.ldc+j])
				v += cv
				m += math.Abs(cv)
			}
			want[i*tc.n+j] = v
			mag[i*tc.n+j] = m
		}
	}
	return want, mag
}

// tolerance is the allowed error relative to an element's magnitude: 1e-5,
// or more for depths where float32 rounding alone can exceed it.
func tolerance(k int) float64 {
	return math.Max(1e-5, 2*float64(k+2)*0x1p-24)
}

// compare returns a description of the first element of C that differs from
// want by more than the tolerance, or of a sentinel that changed.
func compare(tc testCase, c []float32, ldc int, want, mag []float64) error {
	tol := tolerance(tc.k)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < ldc; j++ {
			got := c[i*ldc+j]
			if j >= tc.n {
				if got != sentinel {
					return fmt.Errorf("C[%d,%d] outside the matrix changed to %g", i, j, got)
				}
				continue
			}
			w := want[i*tc.n+j]
			if d := math.Abs(float64(got) - w); !(d <= tol*math.Max(mag[i*tc.n+j], 1e-30)) {
				return fmt.Errorf("C[%d,%d] = %g, want %g (|diff| %g, magnitude %g)", i, j, got, w, d, mag[i*tc.n+j])
			}
		}
	}
	return nil
}
