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

// HeuristicPriors writes priors for s from tactical knowledge, the kind a
// network learns first: captures and escapes from atari up, self-atari,
// filling one's own eye and the first line down, pass small.
func HeuristicPriors(s *board.State, priors []float32) {
	p := &s.Pos
	n := p.Size()
	c := s.ToMove
	opp := c.Opponent()
	for i := range priors {
		priors[i] = 0
	}
	for _, pt := range board.Points(n) {
		if p.At(pt) != board.Empty || !p.Legal(c, pt) {
			continue
		}
		w := float32(1)
		info := p.MoveInfo(c, pt)
		x, y := pt.XY()
		edge := min(x, y, n-1-x, n-1-y)
		switch {
		case p.IsEye(c, pt):
			w = 0.001
		case info.Captured > 0:
			w = 4 + float32(min(info.Captured, 8))
		case info.Liberties == 1:
			w = 0.05 // self-atari
		}
		// Escaping or saving an own chain in atari, attacking an
		// opponent chain.
		for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			nx, ny := x+d[0], y+d[1]
			if nx < 0 || ny < 0 || nx >= n || ny >= n {
				continue
			}
			q := board.PointAt(nx, ny)
			switch p.At(q) {
			case c:
				if p.Liberties(q) == 1 && info.Liberties >= 2 {
					w *= 4
				}
			case opp:
				if p.Liberties(q) == 2 && info.Liberties >= 2 {
					w *= 1.5 // atari
				}
			}
		}
		if edge == 0 && n >= 7 {
			w *= 0.3
		}
		priors[y*n+x] = w
	}
	// Passing matters once the opponent has passed: then it may end the
	// game.
	priors[n*n] = 0.05
	if s.NumRecent > 0 && s.Recent[0].Point == board.Pass {
		priors[n*n] = 2
	}
}
