//go:build amd64 && !purego

package nn

// wgVector selects the vector Winograd transforms: those of
// winograd_amd64.s need AVX2 and FMA, as the elementwise kernels do.
var wgVector = useAVX

// The Winograd transforms in winograd_amd64.s, for the leading multiple of
// 8 of n elements; the Go wrappers in winograd.go check the bounds.

//go:noescape
func wgBTAVX(in *float32, is int, out *float32, os int, n int)

//go:noescape
func wgATAVX(in *float32, is int, out *float32, os int, n int)

//go:noescape
func wgGAVX(in *float32, is int, out *float32, os int, n int)

//go:noescape
func wgAAVX(in *float32, is int, out *float32, os int, n int)

//go:noescape
func wgGTAVX(in *float32, is int, out *float32, os int, n int)
