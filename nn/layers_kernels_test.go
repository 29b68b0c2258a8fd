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
		vecMax(got, x)
		check("max", got)
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
		for i := range want {
			want[i] = x[i]
			if x[i] < 0 {
				want[i] = 0.1 * x[i]
			}
		}
		copy(got, x)
		vecLeaky(got, got, 0.1)
		check("leaky in place", got)
		for _, silu := range []bool{false, true} {
			xs := make([]float32, n)
			for i := range xs {
				xs[i] = 30 * x[i] // spans the saturated ends
				s := 1 / (1 + math.Exp(-float64(xs[i])))
				if silu {
					s *= float64(xs[i])
				}
				want[i] = float32(s)
			}
			vecSigmoid(xs, got, silu)
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); d > 1e-6*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("sigmoid (silu %v) n=%d [%d] of %g = %g, want %g", silu, n, i, xs[i], got[i], want[i])
				}
			}
		}
		for i := range want {
			want[i] = a[i] * b[i]
		}
		vecMul(got, a, b)
		check("mul", got)
		for i := range want {
			want[i] = min(max(x[i], -0.5), 0.5)
		}
		vecClamp(x, got, -0.5, 0.5)
		check("clamp", got)
		for i := range want {
			want[i] = 0
			if x[i] > -0.5 && x[i] < 0.5 {
				want[i] = 2 * z[i]
			}
		}
		vecClampGrad(x, z, got, -0.5, 0.5, 2)
		check("clamp grad", got)
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

// TestExp32 checks the fast exponential against math.Exp over the float32
// range, including the clamped ends.
func TestExp32(t *testing.T) {
	for x := -87.0; x <= 88.3; x += 0.01 {
		want := math.Exp(float64(float32(x)))
		got := float64(exp32(float32(x)))
		if math.Abs(got-want) > 4e-7*want {
			t.Fatalf("exp32(%g) = %g, want %g", x, got, want)
		}
	}
	if v := exp32(-1000); v < 0 || v > 1e-37 {
		t.Errorf("exp32(-1000) = %g", v)
	}
	if v := exp32(1000); math.IsInf(float64(v), 0) || v < 1e38 {
		t.Errorf("exp32(1000) = %g", v)
	}
}
