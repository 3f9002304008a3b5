// Package dataset turns game records into training examples: SGF sets
// (files, directories, archives) filtered by rank, handicap, length and
// result, split into training and validation games by a seeded hash, each
// position encoded with the input features of package nets under a random
// board symmetry, and stored compactly ([Packed]) for shuffle buffers and
// self-play chunks. It is the one pipeline that supervised training,
// evaluation and self-play training share.
package dataset
