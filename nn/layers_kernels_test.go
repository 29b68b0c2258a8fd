package nn

import (
	"math"
	"testing"
)

// TestVectorKernels compares the vector helpers with plain loops for lengths
// around the vector width, so both the vector body and the tail are covered.
func TestVectorKernels(t *testing.T) {
	rng := newRNG()
	vec := func(n int) []float32 { return randomTensor(rng, []int{n + 1}).Data[:n] }
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 64, 67} {
		x, z, a, b, k := vec(n), vec(n), vec(n), vec(n), vec(n)
		want := make([]float32, n)
		check := func(name string, got []float32) {
			t.Helper()
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > 1e-6 {
					t.Fatalf("%s n=%d [%d] = %g, want %g", name, n, i, got[i], want[i])
				}
			}
		}
		got := make([]float32, n)
		for i := range want {
			want[i] = x[i]*a[i] + b[i]
		}
		vecAffine(x, a, b, got)
		check("affine", got)
		for i := range want {
			want[i] = x[i]*a[i] + b[i] + z[i]*k[i]
		}
		vecAffine3(x, z, a, b, k, got)
		check("affine3", got)
		for i := range want {
			want[i] = max(x[i], 0)
		}
		copy(got, x)
		vecRelu(got, got)
		check("relu in place", got)
		for i := range want {
			want[i] = 0
			if x[i] > 0 {
				want[i] = z[i]
			}
		}
		vecReluGrad(x, z, got)
		check("relu grad", got)
		for i := range want {
			want[i] = a[i] + b[i]
		}
		copy(got, a)
		vecAdd(got, b)
		check("add", got)
		for i := range want {
			want[i] = a[i] + x[i]*z[i]
		}
		copy(got, a)
		vecMulAdd(got, x, z)
		check("muladd", got)
		ids := make([]int32, n)
		wantIDs := make([]int32, n)
		for i := range want {
			want[i], wantIDs[i] = a[i], 1
			if x[i] > a[i] {
				want[i], wantIDs[i] = x[i], 5
			}
			ids[i] = 1
		}
		copy(got, a)
		vecMaxIdx(got, ids, x, 5)
		check("maxidx", got)
		for i, id := range ids {
			if id != wantIDs[i] {
				t.Fatalf("maxidx n=%d index [%d] = %d, want %d", n, i, id, wantIDs[i])
			}
		}
		for i := range want {
			want[i] = 0
			if ids[i] == 5 {
				want[i] = z[i]
			}
		}
		vecSelectIdx(got, z, ids, 5)
		check("selectidx", got)
		for i := range want {
			want[i] = max(a[i]+b[i], 0)
		}
		copy(got, a)
		vecAddRelu(got, b)
		check("addrelu", got)
		for _, relu := range []bool{false, true} {
			for i := range want {
				want[i] = a[i] + b[i]
				if relu {
					want[i] = max(want[i], 0)
				}
			}
			vecAdd2(got, a, b, relu)
			check("add2", got)
		}
		s, q := append([]float32(nil), a...), append([]float32(nil), b...)
		vecSumProd(x, z, k, s, q)
		for i := range want {
			want[i] = a[i] + x[i]
		}
		check("sumprod s", s)
		for i := range want {
			want[i] = b[i] + x[i]*(z[i]-k[i])
		}
		check("sumprod q", q)
	}
}
