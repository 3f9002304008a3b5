package mcts

import (
	"math"

	"github.com/tengen-go/tengen/board"
)

// ChooseMove picks the move to play from a search result: the most visited
// move at temperature 0, otherwise a move drawn with probability
// proportional to visits^(1/temperature) (self-play's opening moves).
func (s *Searcher) ChooseMove(res Result, temperature float64) board.Point {
	if temperature <= 0 || len(res.Moves) == 0 {
		return res.Best
	}
	weights := make([]float64, len(res.Moves))
	total := 0.0
	for i, m := range res.Moves {
		weights[i] = math.Pow(float64(m.Visits), 1/temperature)
		total += weights[i]
	}
	s.mu.Lock()
	r := s.rng.Float64() * total
	s.mu.Unlock()
	for i, w := range weights {
		if r < w {
			return res.Moves[i].Move
		}
		r -= w
	}
	return res.Moves[len(res.Moves)-1].Move
}

// Resigner decides resignation: the side resigns when its winrate stays
// below Threshold for Moves consecutive searches of its own. A zero
// Threshold never resigns.
type Resigner struct {
	Threshold float64
	Moves     int
	// MinMove: no resignation before this move number.
	MinMove int

	low int
}

// Observe records a search's winrate at move number moveNum and reports
// whether to resign now.
func (r *Resigner) Observe(winrate float64, moveNum int) bool {
	if r.Threshold <= 0 {
		return false
	}
	if winrate >= r.Threshold || moveNum < r.MinMove {
		r.low = 0
		return false
	}
	r.low++
	return r.low >= max(r.Moves, 1)
}

// Reset forgets past observations (a new game).
func (r *Resigner) Reset() { r.low = 0 }
