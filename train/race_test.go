package train

import "testing"

// skipUnderRace skips a long test whose work runs on the same goroutines
// as the shorter tests that stay under the race detector (the loader's
// decoding workers and the parallel training step): the detector makes it
// ten times slower and finds nothing the others miss. The test still runs,
// with every assertion, in the suite's run without the detector.
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("long; runs without the race detector (test.sh runs the package both ways)")
	}
}
