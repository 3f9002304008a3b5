// Package defaultnets holds the networks built into the tengen binary
// (go:embed): the trained network for each board size that has one, as
// nets weights files in weights/ named NxN.weights. weights/README.md
// says where each came from and how to reproduce it (docs/networks.md has
// the details).
//
// [All] decodes them once; a file that does not decode, or whose board
// size does not match its name, is an error (a broken build), never
// skipped silently.
package defaultnets
