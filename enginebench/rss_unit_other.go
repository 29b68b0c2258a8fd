//go:build !darwin && !windows

package enginebench

// maxrssPerMiB is getrusage's ru_maxrss unit per MiB: kilobytes on Linux
// and the BSDs.
const maxrssPerMiB = 1 << 10
