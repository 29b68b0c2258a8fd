package gemm

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// shapes are m, n, k triples: ones, odd sizes, primes, tall and skinny,
// large depths, tile-sized and just past tile-sized, and sizes big enough to
// be split across goroutines along each dimension.
var shapes = [][3]int{
	{1, 1, 1}, {1, 7, 3}, {5, 1, 9}, {3, 3, 1}, {2, 2, 0},
	{13, 17, 19}, {14, 32, 256}, {15, 33, 257}, {6, 16, 8}, {29, 31, 37},
	{200, 3, 5}, {3, 200, 5}, {7, 5, 600}, {64, 64, 64}, {100, 70, 530},
	{1000, 16, 27}, {9, 11, 1300}, {300, 200, 300}, {20, 20, 20000},
	{40, 700, 100}, {230, 41, 260}, {29, 48, 70}, {28, 16, 300},
}

// scalars are alpha, beta pairs: plain, scaled, accumulating and alpha 0.
var scalars = [][2]float32{{1, 0}, {0.5, -1.5}, {2, 1}, {0, 0.5}, {-1, 0}}

// allCases crosses shapes with the four transpose combinations, the scalar
// pairs and padded strides. Scalars and padding rotate so the set stays small.
func allCases() []testCase {
	var cases []testCase
	for si, s := range shapes {
		for t := 0; t < 4; t++ {
			sc := scalars[(si+t)%len(scalars)]
			cases = append(cases, testCase{
				transA: t&1 != 0, transB: t&2 != 0,
				m: s[0], n: s[1], k: s[2],
				alpha: sc[0], beta: sc[1],
				pad: (si + t) % 3 * 3,
			})
		}
	}
	return cases
}

// backends returns the backends to test: each Go micro-kernel this CPU runs,
// and OpenBLAS when it loads (see openBLASMissing when it does not).
func backends(t *testing.T) map[string]*state {
	t.Helper()
	bs := map[string]*state{}
	for _, k := range availableKernels() {
		bs["go/"+k.name] = &state{kern: k}
	}
	if lib, err := openBLASLib(); err == nil {
		bs["openblas"] = &state{blas: lib, kern: bestKernel()}
	} else {
		openBLASMissing(t, err)
	}
	return bs
}

// TestSgemmMatchesReference checks every backend against a float64
// reference, and the backends against each other.
func TestSgemmMatchesReference(t *testing.T) {
	bs := backends(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range allCases() {
		o := makeOperands(tc, rng)
		want, mag := reference(tc, o)
		results := map[string][]float32{}
		for name, st := range bs {
			c := slices.Clone(o.c)
			sgemm(st, tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, o.a, o.lda, o.b, o.ldb, tc.beta, c, o.ldc)
			if err := compare(tc, c, o.ldc, want, mag); err != nil {
				t.Errorf("%v on %s: %v", tc, name, err)
			}
			results[name] = c
		}
		if err := agree(tc, results, o.ldc, mag); err != nil {
			t.Errorf("%v: %v", tc, err)
		}
	}
}

// agree checks that the results of all backends are within the tolerance
// of the first one's, in name order.
func agree(tc testCase, results map[string][]float32, ldc int, mag []float64) error {
	names := slices.Sorted(maps.Keys(results))
	if len(names) < 2 {
		return nil
	}
	first := results[names[0]]
	want := make([]float64, tc.m*tc.n)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			want[i*tc.n+j] = float64(first[i*ldc+j])
		}
	}
	for _, name := range names[1:] {
		if err := compare(tc, results[name], ldc, want, mag); err != nil {
			return fmt.Errorf("%s against %s: %w", name, names[0], err)
		}
	}
	return nil
}

func TestSgemmPublicMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range allCases()[:24] {
		o := makeOperands(tc, rng)
		want, mag := reference(tc, o)
		Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, o.a, o.lda, o.b, o.ldb, tc.beta, o.c, o.ldc)
		if err := compare(tc, o.c, o.ldc, want, mag); err != nil {
			t.Errorf("%v on %s: %v", tc, Describe(), err)
		}
	}
}

func TestCheck(t *testing.T) {
	buf := make([]float32, 100)
	tests := []struct {
		name           string
		transA, transB bool
		m, n, k        int
		a              []float32
		lda            int
		b              []float32
		ldb            int
		c              []float32
		ldc            int
		wantErr        string
	}{
		{"ok", false, false, 4, 5, 6, buf, 6, buf, 5, buf, 5, ""},
		{"ok transposed", true, true, 4, 5, 6, buf, 4, buf, 6, buf, 5, ""},
		{"empty", false, false, 0, 0, 0, nil, 1, nil, 1, nil, 1, ""},
		{"negative", false, false, -1, 5, 6, buf, 6, buf, 5, buf, 5, "negative size"},
		{"lda small", false, false, 4, 5, 6, buf, 5, buf, 5, buf, 5, "lda=5"},
		{"lda small transposed", true, false, 4, 5, 6, buf, 3, buf, 5, buf, 5, "lda=3"},
		{"ldb small", false, true, 4, 5, 6, buf, 6, buf, 5, buf, 5, "ldb=5"},
		{"ldc small", false, false, 4, 5, 6, buf, 6, buf, 5, buf, 4, "ldc=4"},
		{"a short", false, false, 4, 5, 6, buf[:23], 6, buf, 5, buf, 5, "a has 23 values"},
		{"b short", false, false, 4, 5, 6, buf, 6, buf[:29], 5, buf, 5, "b has 29 values"},
		{"c short", false, false, 4, 5, 6, buf, 6, buf, 5, buf[:19], 5, "c has 19 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.transA, tt.transB, tt.m, tt.n, tt.k, tt.a, tt.lda, tt.b, tt.ldb, tt.c, tt.ldc)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Check: %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Check: %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestSgemmPanicsOnBadArguments(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Sgemm with a short C did not panic")
		}
	}()
	buf := make([]float32, 30)
	Sgemm(false, false, 4, 5, 6, 1, buf, 6, buf, 5, 0, buf[:10], 5)
}
