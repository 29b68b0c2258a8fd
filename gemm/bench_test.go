package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchShape is a GEMM from a convolutional network, named after its role:
// forward convolution as im2col·W, the weight gradient colᵀ·dY (transA), the
// input gradient dY·Wᵀ (transB), a narrow pointwise convolution and a dense
// layer.
type benchShape struct {
	name           string
	transA, transB bool
	m, n, k        int
}

var benchShapes = []benchShape{
	{"fwd_32768x32x27", false, false, 32768, 32, 27},
	{"fwd_8192x64x576", false, false, 8192, 64, 576},
	{"fwd_2048x128x1152", false, false, 2048, 128, 1152},
	{"fwd_512x256x2304", false, false, 512, 256, 2304},
	{"wgrad_27x32x32768", true, false, 27, 32, 32768},
	{"wgrad_576x64x8192", true, false, 576, 64, 8192},
	{"wgrad_1152x128x2048", true, false, 1152, 128, 2048},
	{"wgrad_2304x256x512", true, false, 2304, 256, 512},
	{"igrad_8192x576x64", false, true, 8192, 576, 64},
	{"igrad_2048x1152x128", false, true, 2048, 1152, 128},
	{"igrad_512x2304x256", false, true, 512, 2304, 256},
	{"pw_32768x16x96", false, false, 32768, 16, 96},
	{"dense_32x20x256", false, false, 32, 20, 256},
}

// BenchmarkSgemm times each CNN shape on each backend and reports GFLOP/s.
func BenchmarkSgemm(b *testing.B) {
	bs := map[string]*state{}
	for _, k := range availableKernels() {
		bs["go-"+k.name] = &state{kern: k}
	}
	if lib, err := openBLASLib(); err == nil {
		bs["openblas"] = &state{blas: lib, kern: bestKernel()}
	}
	names := []string{"openblas"}
	for _, k := range availableKernels() {
		names = append(names, "go-"+k.name)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range benchShapes {
		tc := testCase{transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1, beta: 0}
		o := makeOperands(tc, rng)
		for _, name := range names {
			st, ok := bs[name]
			if !ok {
				continue
			}
			b.Run(fmt.Sprintf("%s/%s", s.name, name), func(b *testing.B) {
				for b.Loop() {
					sgemm(st, s.transA, s.transB, s.m, s.n, s.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
				}
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
