//go:build race

package train

// raceEnabled trims the numerical tests under the race detector, where
// the single-goroutine training steps take ten times longer.
const raceEnabled = true
