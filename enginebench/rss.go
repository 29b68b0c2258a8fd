//go:build !windows

package enginebench

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// peakRSSMB returns the process's peak resident set size in MiB, from
// /proc/self/status (VmHWM) or else getrusage.
func peakRSSMB() float64 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
				if fields := strings.Fields(rest); len(fields) > 0 {
					if kb, err := strconv.ParseFloat(fields[0], 64); err == nil {
						return kb / 1024
					}
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		return float64(ru.Maxrss) / maxrssPerMiB
	}
	return 0
}
