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

// Estimate is what an EstimateEvaluator says about a leaf besides its
// value: the expected final score and who owns each point at the end.
type Estimate struct {
	// Score is the expected final score margin in points (komi included)
	// for the side to move at the leaf, valid when HasScore.
	Score    float32
	HasScore bool
	// Ownership has one entry per point (row-major from the top left,
	// board.Points order), in [-1, 1]: +1 the side to move at the leaf
	// owns the point at the end, -1 its opponent. The search hands in a
	// slice of that length; an evaluator without ownership sets it to nil.
	Ownership []float32
}

// EstimateEvaluator is an Evaluator that also estimates the final score
// and ownership (from playouts, or from a network's score and ownership
// heads). The search averages them over its visits: score leads per move
// and the root's ownership (kata-analyze, the analysis engine).
type EstimateEvaluator interface {
	Evaluator
	// EvaluateEstimate is EvaluateAMAF (moves may be nil: no RAVE) that
	// also fills est.
	EvaluateEstimate(ctx context.Context, s *board.State, priors []float32, moves *[]board.Move, est *Estimate) (float32, error)
}

// PriorRefiner is an Evaluator whose leaf priors are cheap (Go knowledge
// from the rollout package) and that has better ones for the nodes that
// earn them: a network's, computed once a node has RefineAt visits, as
// AlphaGo's expansion threshold does. The search then spends most of its
// time in playouts and asks the network only about the nodes that
// matter: the root at once, deeper nodes as they collect visits.
type PriorRefiner interface {
	Evaluator
	// RefineAt is the visit count at which a node's priors are refined;
	// 0 turns refinement off.
	RefineAt() int
	// Refine writes the better priors for s into priors (as Evaluate
	// does).
	Refine(ctx context.Context, s *board.State, priors []float32) error
}

// ValueRefiner is a PriorRefiner whose refinement also values the node
// (a network's value head, for the side to move in s), mixed into the
// simulations as AlphaGo mixed its value network into every leaf: a
// simulation backs up NodeLambda*(the leaf's cheap evaluation) +
// (1-NodeLambda)*(the network's value of the deepest refined node on its
// path, for the leaf's side to move). The network runs once per RefineAt
// visits, and its values are averaged over the simulations like the
// playouts' results, so a node's mean weighs many network values, the
// deeper the more specific. (Until the seventeenth sitting a refined
// node's mean was mixed with its own single network value at a fixed
// weight, which at lambda 0.5 lost 2-18 to lambda 1 on 9x9:
// docs/strength.md, "The network's value at the leaves".)
type ValueRefiner interface {
	PriorRefiner
	// NodeLambda is the weight of the simulations' mean at a refined
	// node, in [0, 1]; 1 turns the mixing off.
	NodeLambda() float64
	// RefineValue is Refine that also returns the value of s for its
	// side to move, in [-1, 1].
	RefineValue(ctx context.Context, s *board.State, priors []float32) (float32, error)
}
