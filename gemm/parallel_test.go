package gemm

import (
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
)

func TestPlanSplit(t *testing.T) {
	tests := []struct {
		name    string
		m, n, k int
		procs   int
		parts   int
		dim     byte
	}{
		{"small stays serial", 16, 16, 16, 4, 1, 'm'},
		{"one proc", 4096, 4096, 4096, 1, 1, 'm'},
		{"tall splits rows", 32768, 32, 27, 2, 2, 'm'},
		{"tall with two column tiles splits rows", 8192, 64, 576, 2, 2, 'm'},
		{"wide splits columns", 512, 2304, 256, 2, 2, 'n'},
		{"uneven column tiles split rows", 300, 96, 512, 2, 2, 'm'},
		{"one row tile splits columns", 14, 2048, 512, 2, 2, 'n'},
		{"deep splits depth", 9, 32, 32768, 2, 2, 'k'},
		{"work caps parts", 64, 64, 256, 16, 2, 'n'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := planSplit(avx512Shape, tt.m, tt.n, tt.k, tt.procs)
			if sp.parts != tt.parts || (sp.parts > 1 && sp.dim != tt.dim) {
				t.Fatalf("planSplit(%d, %d, %d, procs %d) = %d parts along %c, want %d along %c",
					tt.m, tt.n, tt.k, tt.procs, sp.parts, sp.dim, tt.parts, tt.dim)
			}
		})
	}
}

// avx512Shape has the AVX-512 kernel's tiling on every architecture, so that
// split plans can be tested anywhere; it is never run.
var avx512Shape = &kernel{name: "shape", mr: 14, nr: 32, kc: 256, mc: 224, nc: 2048}

func TestParallelSplitsMatchReference(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	rng := rand.New(rand.NewPCG(9, 10))
	cases := []testCase{
		{m: 700, n: 40, k: 300, alpha: 1, beta: 0, pad: 1},
		{transA: true, m: 30, n: 900, k: 200, alpha: 0.5, beta: 2, pad: 2},
		{transB: true, m: 20, n: 25, k: 9000, alpha: -1, beta: 0.5},
		{transA: true, transB: true, m: 13, n: 9, k: 40000, alpha: 1, beta: 0},
	}
	for _, tc := range cases {
		for name, st := range backends(t) {
			if st.blas != nil {
				continue
			}
			if sp := planSplit(st.kern, tc.m, tc.n, tc.k, 4); sp.parts < 2 {
				t.Fatalf("%v: not split on %s, so the test does not cover the parallel path", tc, name)
			}
			o := makeOperands(tc, rng)
			want, mag := reference(tc, o)
			sgemm(st, tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, o.a, o.lda, o.b, o.ldb, tc.beta, o.c, o.ldc)
			if err := compare(tc, o.c, o.ldc, want, mag); err != nil {
				t.Errorf("%v on %s: %v", tc, name, err)
			}
		}
	}
}

// TestConcurrentCalls runs many Sgemm calls at once from many goroutines, on
// every backend, and checks each result; run it with -race.
func TestConcurrentCalls(t *testing.T) {
	cases := []testCase{
		{m: 37, n: 29, k: 41, alpha: 1, beta: 0},
		{transA: true, m: 300, n: 64, k: 200, alpha: 1, beta: 1, pad: 2},
		{transB: true, m: 9, n: 17, k: 5000, alpha: 2, beta: 0},
	}
	for name, st := range backends(t) {
		t.Run(name, func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for g := 0; g < 8; g++ {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(g), 11))
					for r := 0; r < 3; r++ {
						tc := cases[(g+r)%len(cases)]
						o := makeOperands(tc, rng)
						want, mag := reference(tc, o)
						sgemm(st, tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, o.a, o.lda, o.b, o.ldb, tc.beta, o.c, o.ldc)
						if err := compare(tc, o.c, o.ldc, want, mag); err != nil {
							errs <- err
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

func TestGoPathDoesNotAllocate(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	cases := []testCase{
		{m: 20, n: 30, k: 40, alpha: 1, beta: 0},
		{m: 500, n: 100, k: 300, alpha: 1, beta: 0},
		{transA: true, m: 20, n: 20, k: 20000, alpha: 1, beta: 1},
	}
	st := &state{kern: bestKernel()}
	// A collection empties the buffer pools; keep the collector out of the
	// measurement so that only the calls' own allocations count.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for _, tc := range cases {
		o := makeOperands(tc, rng)
		run := func() {
			sgemm(st, tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, o.a, o.lda, o.b, o.ldb, tc.beta, o.c, o.ldc)
		}
		run()
		// Workspaces are kept for as many workers as ever overlapped, and on
		// a loaded machine that most can still rise after the first call:
		// take the least allocation over a few rounds.
		const calls = 50
		least := uint64(math.MaxUint64)
		for round := 0; round < 3; round++ {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for i := 0; i < calls; i++ {
				run()
			}
			runtime.ReadMemStats(&after)
			least = min(least, after.Mallocs-before.Mallocs)
		}
		if least > 10 {
			t.Errorf("%v: %d allocations in %d calls", tc, least, calls)
		}
	}
}

// TestSgemmSerialMatchesSgemm checks that the single-goroutine entry point
// gives Sgemm's results, on problems big enough for Sgemm to split.
func TestSgemmSerialMatchesSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 15))
	cases := []testCase{
		{m: 500, n: 100, k: 300, alpha: 1, beta: 0},
		{transA: true, m: 64, n: 96, k: 2000, alpha: 0.5, beta: 1},
		{transB: true, m: 300, n: 200, k: 64, alpha: 1, beta: 0.25},
	}
	for _, tc := range cases {
		o := makeOperands(tc, rng)
		want := append([]float32(nil), o.c...)
		Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, o.a, o.lda, o.b, o.ldb, tc.beta, want, o.ldc)
		got := append([]float32(nil), o.c...)
		SgemmSerial(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, o.a, o.lda, o.b, o.ldb, tc.beta, got, o.ldc)
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-4*max(1, math.Abs(float64(want[i]))) {
				t.Fatalf("%+v: value %d is %g, Sgemm gives %g", tc, i, got[i], want[i])
			}
		}
	}
}
