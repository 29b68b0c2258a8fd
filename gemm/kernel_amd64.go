//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run ./internal/kernelgen -o kernels_amd64.s

// The AVX2/FMA micro-kernels have a 6×16 tile, the AVX-512 ones 14×32, with
// half-width variants for narrow edges. The Rows variants read A by rows; see kernel.steps
// and kernel.rows.

//go:noescape
func kernAVX26x16(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernAVX26x16Rows(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernAVX26x8(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernAVX26x8Rows(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernAVX51214x32(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernAVX51214x32Rows(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernAVX51214x16(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernAVX51214x16Rows(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

// avx2Kernel runs on AVX2 with FMA: 12 of 16 ymm registers accumulate.
var avx2Kernel = &kernel{
	name: "avx2", mr: 6, nr: 16,
	kc: 256, mc: 120, nc: 2048,
	steps: kernAVX26x16, rows: kernAVX26x16Rows,
	narrow: &kernel{
		name: "avx2", mr: 6, nr: 8,
		steps: kernAVX26x8, rows: kernAVX26x8Rows,
	},
}

// avx512Kernel runs on AVX-512: 28 of 32 zmm registers accumulate.
var avx512Kernel = &kernel{
	name: "avx512", mr: 14, nr: 32,
	kc: 256, mc: 224, nc: 2048,
	steps: kernAVX51214x32, rows: kernAVX51214x32Rows,
	narrow: &kernel{
		name: "avx512", mr: 14, nr: 16,
		steps: kernAVX51214x16, rows: kernAVX51214x16Rows,
	},
}

// availableKernels lists the micro-kernels this CPU can run, best first.
func availableKernels() []*kernel {
	var ks []*kernel
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL {
		ks = append(ks, avx512Kernel)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, avx2Kernel)
	}
	return append(ks, genericKernel)
}
