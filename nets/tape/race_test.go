//go:build race

package tape

// raceEnabled skips the large numerical suites under the race detector:
// they run on one goroutine and take minutes there.
const raceEnabled = true
