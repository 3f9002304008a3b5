//go:build race

package sgf

// raceEnabled is true under -race, where the full shared-set test runs a
// reduced sample to stay within a few minutes.
const raceEnabled = true
