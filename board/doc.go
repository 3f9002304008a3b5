// Package board implements the rules of Go exactly and fast.
//
// A [Position] is the raw board: stones, chains with exact liberty counts
// kept incrementally, the simple-ko point, a Zobrist hash and capture
// counts. It is a value: child := *pos copies it (fixed arrays, no
// pointers), which is what the search and the playouts do. Any square size
// from [MinSize] to [MaxSize] is supported.
//
// A [Game] adds what depends on history: the ko rule of the ruleset
// (simple ko, positional or situational superko), passes and the end of the
// game, komi, handicap, setup stones, undo to any depth and Tromp-Taylor
// area scoring.
//
// Points are indices into a letterboxed one-dimensional array with a fixed
// row stride for every board size, so a [Point] means the same intersection
// on every board: [PointAt](x, y) with x the column from the left and y the
// row from the top, both from 0 (the SGF orientation). [Pass] is the zero
// Point. Coordinates convert to and from GTP text ("Q16", "pass") and SGF
// text ("pd", "").
//
// [Position.PassAlive] finds what Benson's algorithm proves: chains that
// live even if their owner passes every turn, and the territory they
// enclose (KataGo's pass-alive area); GTP's final_status_list trusts it
// over any estimate.
//
// Light random playouts ([Position.Playout]) choose uniformly among the legal
// moves that do not fill one's own single-point eye; they are a benchmark
// and a fallback evaluator.
//
// Nothing in the package is mutable global state: the Zobrist tables are
// generated from a fixed seed at start-up and only read afterwards.
package board
