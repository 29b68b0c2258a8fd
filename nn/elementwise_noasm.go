//go:build !(amd64 || arm64) || purego

package nn

// useAVX is false: there are no vector kernels on this platform, and the
// stubs below are never called.
const useAVX = false

func affineAVX(x, a, b, y []float32)                               {}
func affine3AVX(x, z, a, b, k, y []float32)                        {}
func reluAVX(x, y []float32)                                       {}
func reluGradAVX(y, gy, gx []float32)                              {}
func addAVX(dst, src []float32)                                    {}
func sumProdAVX(g, x, c, s, q []float32)                           {}
func mulAddAVX(dst, a, b []float32)                                {}
func maxIdxAVX(dst []float32, idx []int32, src []float32, k int32) {}
func maxAVX(dst, src []float32)                                    {}
func selectIdxAVX(dst, g []float32, idx []int32, k int32)          {}
func addReluAVX(dst, src []float32)                                {}
func add2AVX(y, a, b []float32, relu bool)                         {}
func leakyAVX(x, y []float32, alpha float32)                       {}
func sigmoidAVX(x, y []float32, silu bool)                         {}
func mulAVX(y, a, b []float32)                                     {}
func clampAVX(x, y []float32, lo, hi float32)                      {}
func clampGradAVX(y, gy, gx []float32, lo, hi, scale float32)      {}
