//go:build arm64 && !purego

//go:generate go run ../gemm/internal/kernelgen -elementwise -arch arm64 -o elementwise_arm64.s

package nn

import "golang.org/x/sys/cpu"

// useAVX selects the vector kernels, here the NEON (ASIMD) ones of
// elementwise_arm64.s, which keep their amd64 counterparts' names so that
// the helpers of elementwise_kernels.go are shared. Every arm64 processor
// has ASIMD.
var useAVX = cpu.ARM64.HasASIMD

//go:noescape
func affineAVX(x, a, b, y []float32)

//go:noescape
func affine3AVX(x, z, a, b, k, y []float32)

//go:noescape
func reluAVX(x, y []float32)

//go:noescape
func reluGradAVX(y, gy, gx []float32)

//go:noescape
func addAVX(dst, src []float32)

//go:noescape
func sumProdAVX(g, x, c, s, q []float32)

//go:noescape
func mulAddAVX(dst, a, b []float32)

//go:noescape
func maxIdxAVX(dst []float32, idx []int32, src []float32, k int32)

//go:noescape
func maxAVX(dst, src []float32)

//go:noescape
func selectIdxAVX(dst, g []float32, idx []int32, k int32)

//go:noescape
func addReluAVX(dst, src []float32)

//go:noescape
func add2AVX(y, a, b []float32, relu bool)

//go:noescape
func leakyAVX(x, y []float32, alpha float32)

//go:noescape
func sigmoidAVX(x, y []float32, silu bool)

//go:noescape
func mulAVX(y, a, b []float32)

//go:noescape
func clampAVX(x, y []float32, lo, hi float32)

//go:noescape
func clampGradAVX(y, gy, gx []float32, lo, hi, scale float32)
