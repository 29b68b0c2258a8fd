//go:build !amd64 || purego

package nn

// There are no vector Winograd transforms on this platform (arm64's NEON
// kernels cover the elementwise ops only), so these are never called.

// wgVector is false: the Go transforms run.
const wgVector = false

func wgBTAVX(in *float32, is int, out *float32, os int, n int) {}
func wgATAVX(in *float32, is int, out *float32, os int, n int) {}
func wgGAVX(in *float32, is int, out *float32, os int, n int)  {}
func wgAAVX(in *float32, is int, out *float32, os int, n int)  {}
func wgGTAVX(in *float32, is int, out *float32, os int, n int) {}
