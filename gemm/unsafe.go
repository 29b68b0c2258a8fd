package gemm

import "unsafe"

// unsafeSlice views n float32 values starting at p as a slice.
func unsafeSlice(p *float32, n int) []float32 { return unsafe.Slice(p, n) }
