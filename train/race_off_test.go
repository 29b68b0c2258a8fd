//go:build !race

package train

// raceEnabled reports a build with the race detector (see skipUnderRace).
const raceEnabled = false
