// Package atomicfile writes files the way every long tengen job must
// (checkpoints, weights, game chunks, self-play state, pictures): to a
// temporary file in the destination's directory, synced to disk, renamed
// over the destination, and the directory synced. A reader, or a job
// killed at any point, sees the old file or the whole new one, never a
// part; a kill leaves at most a stray temporary file.
//
// Temporary files are named "." + base + ".*.tmp" (see [IsTemp]), so that
// directory scanners can skip them and cleaners can find them.
package atomicfile
