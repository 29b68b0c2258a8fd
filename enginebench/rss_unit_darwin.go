package enginebench

// maxrssPerMiB is getrusage's ru_maxrss unit per MiB: bytes on macOS.
const maxrssPerMiB = 1 << 20
