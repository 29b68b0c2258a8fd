//go:build arm64 && !purego

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run ./internal/kernelgen -arch arm64 -o kernels_arm64.s

// The NEON (ASIMD) micro-kernels have a 12×8 tile, with a 12×4 variant for
// narrow edges. The Rows variants read A by rows; see kernel.steps and
// kernel.rows.

//go:noescape
func kernNEON12x8(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernNEON12x8Rows(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernNEON12x4(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernNEON12x4Rows(k int, a *float32, sa int, b *float32, sb int, c *float32, ldc int, alpha, beta float32)

// neonKernel runs on ASIMD, which every arm64 processor has: 24 of 32
// vector registers accumulate.
var neonKernel = &kernel{
	name: "neon", mr: 12, nr: 8,
	kc: 256, mc: 120, nc: 2048,
	steps: kernNEON12x8, rows: kernNEON12x8Rows,
	narrow: &kernel{
		name: "neon", mr: 12, nr: 4,
		steps: kernNEON12x4, rows: kernNEON12x4Rows,
	},
}

// availableKernels lists the micro-kernels this CPU can run, best first.
func availableKernels() []*kernel {
	if cpu.ARM64.HasASIMD {
		return []*kernel{neonKernel, genericKernel}
	}
	return []*kernel{genericKernel}
}
