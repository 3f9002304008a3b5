//go:build race

package fasttrain

const raceEnabled = true
