//go:build !race

package serve

// raceEnabled reports a build with the race detector, whose shadow memory
// makes peak-memory figures meaningless.
const raceEnabled = false
