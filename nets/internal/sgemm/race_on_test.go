//go:build race

package sgemm

// raceEnabled: under the race detector the exhaustive shape tables (plain
// `go test` runs them in full) shrink to the concurrent cases, where the
// detector has something to find.
const raceEnabled = true
