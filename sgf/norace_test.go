//go:build !race

package sgf

const raceEnabled = false
