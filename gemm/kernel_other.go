//go:build !(amd64 || arm64) || purego

package gemm

// availableKernels lists the micro-kernels this build can run, best first.
func availableKernels() []*kernel { return []*kernel{genericKernel} }
