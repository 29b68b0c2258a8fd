//go:build linux

package enginebench

import (
	"syscall"
	"testing"
)

// getrusage's peak, in the unit this platform's constant says, agrees with
// /proc's VmHWM.
func TestMaxrssUnit(t *testing.T) {
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	fromRusage, fromProc := float64(ru.Maxrss)/maxrssPerMiB, peakRSSMB()
	if fromRusage < 0.5*fromProc || fromRusage > 2*fromProc {
		t.Errorf("getrusage says %.0f MiB, /proc %.0f MiB", fromRusage, fromProc)
	}
	_ = buf[len(buf)-1]
}
