//go:build arm64 && !purego

package gemm

import (
	"strings"
	"testing"
)

// TestNEONSelected checks that arm64 runs the NEON micro-kernel and that
// Describe names it.
func TestNEONSelected(t *testing.T) {
	if got := bestKernel().name; got != "neon" {
		t.Fatalf("best kernel on arm64 is %q, want neon", got)
	}
	st := &state{kern: bestKernel()}
	prev := active.Swap(st)
	defer active.Store(prev)
	if got := Describe(); !strings.Contains(got, "(neon)") {
		t.Errorf("Describe() = %q, want it to name neon", got)
	}
}
