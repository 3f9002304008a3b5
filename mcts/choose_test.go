package mcts

import (
	"testing"

	"github.com/tengen-go/tengen/board"
)

func TestChooseMoveTemperature(t *testing.T) {
	s := mustSearcher(t, NewPlayoutEvaluator(1, 1), DefaultConfig())
	res := Result{Best: board.PointAt(0, 0), Moves: []MoveStat{
		{Move: board.PointAt(0, 0), Visits: 75},
		{Move: board.PointAt(1, 0), Visits: 25},
	}}
	if got := s.ChooseMove(res, 0); got != res.Best {
		t.Fatalf("T=0 chose %v", got)
	}
	n := 0
	for range 4000 {
		if s.ChooseMove(res, 1) == board.PointAt(1, 0) {
			n++
		}
	}
	if n < 850 || n > 1150 {
		t.Fatalf("T=1 chose the 25%% move %d/4000 times", n)
	}
}

func TestResigner(t *testing.T) {
	r := Resigner{Threshold: 0.1, Moves: 3, MinMove: 10}
	seq := []struct {
		wr   float64
		move int
		want bool
	}{{0.05, 5, false}, {0.05, 12, false}, {0.05, 14, false}, {0.5, 16, false}, {0.05, 18, false}, {0.05, 20, false}, {0.05, 22, true}}
	for i, s := range seq {
		if got := r.Observe(s.wr, s.move); got != s.want {
			t.Fatalf("step %d: Observe(%v, %d) = %v", i, s.wr, s.move, got)
		}
	}
	off := Resigner{}
	if off.Observe(0, 100) {
		t.Fatal("zero threshold resigned")
	}
}
