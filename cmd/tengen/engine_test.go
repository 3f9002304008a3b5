package main

import (
	"testing"
	"time"

	"github.com/tengen-go/tengen/mcts"
)

func TestUndecided(t *testing.T) {
	ms := func(v1 int, w1 float64, v2 int, w2 float64) mcts.Result {
		return mcts.Result{Moves: []mcts.MoveStat{{Visits: v1, Winrate: w1}, {Visits: v2, Winrate: w2}}}
	}
	for _, tc := range []struct {
		res  mcts.Result
		want bool
	}{
		{mcts.Result{}, false},
		{ms(100, 0.5, 60, 0.5), true},   // close in visits
		{ms(100, 0.5, 30, 0.55), true},  // fewer visits, clearly better
		{ms(100, 0.5, 30, 0.51), false}, // fewer visits, about the same
		{ms(100, 0.5, 10, 0.9), false},  // too few visits to trust
		{ms(1000, 0.6, 100, 0.55), false},
	} {
		if got := undecided(tc.res); got != tc.want {
			t.Errorf("undecided(%+v) = %v; want %v", tc.res.Moves, got, tc.want)
		}
	}
}

func TestDefaultMoveTime(t *testing.T) {
	for size, want := range map[int]time.Duration{5: time.Second, 9: time.Second, 14: 1500 * time.Millisecond, 19: 2 * time.Second, 25: 2 * time.Second} {
		if got := defaultMoveTime(size); got != want {
			t.Errorf("defaultMoveTime(%d) = %v; want %v", size, got, want)
		}
	}
}
