//go:build arm64 && !purego

package nn

import "testing"

// TestNEONElementwiseSelected checks that arm64 runs the NEON elementwise
// kernels, so that TestVectorKernels tests them against the plain loops.
func TestNEONElementwiseSelected(t *testing.T) {
	if !useAVX {
		t.Fatal("the NEON elementwise kernels are not selected on arm64")
	}
}
