package mcts

import (
	"context"

	"github.com/tengen-go/tengen/board"
)

// Evaluator evaluates a leaf of the search.
type Evaluator interface {
	// Evaluate writes move priors for s into priors (len size*size+1:
	// points row-major from the top left, then pass; any non-negative
	// scale, illegal moves may be non-zero: the search masks and
	// normalises) and returns the value in [-1, 1] for s.ToMove.
	// It may be called from many goroutines at once.
	Evaluate(ctx context.Context, s *board.State, priors []float32) (float32, error)
}

// AMAFEvaluator is an Evaluator whose evaluation plays moves past the
// leaf (random or heavy playouts): it appends every move it played, in
// order, to *moves, which RAVE uses as all-moves-as-first evidence.
type AMAFEvaluator interface {
	Evaluator
	EvaluateAMAF(ctx context.Context, s *board.State, priors []float32, moves *[]board.Move) (float32, error)
}

// WorkerEvaluator is an Evaluator that prefers one instance per search
// goroutine (a batcher client each, say). A search calls Worker once per
// goroutine and the release function when the goroutine is done.
type WorkerEvaluator interface {
	Evaluator
	Worker() (e Evaluator, release func())
}
