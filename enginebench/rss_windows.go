package enginebench

// peakRSSMB returns 0: the peak resident set size is not measured on
// Windows.
func peakRSSMB() float64 { return 0 }
