package mcts

import (
	"context"
	"math"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// trapEval: A9 has a high prior but loses for the side that plays it at
// the root (Black); B8 has the highest prior and is even, like the rest.
func trapEval() *fixedEval {
	bad := board.PointAt(0, 0)
	return &fixedEval{priors: map[int]float32{0: 0.2, 10: 0.6}, value: func(s *board.State) float32 {
		if s.Pos.At(bad) != board.Black {
			return 0
		}
		if s.ToMove == board.Black {
			return -1
		}
		return 1
	}}
}

// forcedSearch searches the trap position for visits with forced playouts
// k (0: off) and returns the searcher, the result and the visits and
// prior of A9 and B8.
func forcedSearch(t *testing.T, k float64, visits, threads int) (*Searcher, Result, [2]int, [2]float64) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Threads = threads
	s := mustSearcher(t, trapEval(), cfg)
	s.SetGame(newGame(t, 9))
	res, err := s.Search(context.Background(), Options{Limits: Limits{Visits: visits}, ForcedPlayouts: k})
	if err != nil {
		t.Fatal(err)
	}
	var n [2]int
	var p [2]float64
	for _, m := range res.Moves {
		switch m.Move {
		case board.PointAt(0, 0):
			n[0], p[0] = m.Visits, m.Prior
		case board.PointAt(1, 1):
			n[1], p[1] = m.Visits, m.Prior
		}
	}
	return s, res, n, p
}

// TestForcedPlayouts: with k = 2 the bad move of high prior gets at least
// sqrt(2 * prior * visits), about twice what PUCT alone gives it; pruning
// takes those visits out of the policy target again (its share near 0,
// no more than PUCT alone gave it) and leaves the best move's count as it
// was.
func TestForcedPlayouts(t *testing.T) {
	const visits = 1600
	_, plain, free, _ := forcedSearch(t, 0, visits, 1)
	s, res, forced, prior := forcedSearch(t, 2, visits, 1)
	sum := 0
	for _, m := range res.Moves {
		sum += m.Visits
	}
	want := math.Sqrt(2 * prior[0] * float64(sum))
	t.Logf("A9 (prior %.3f): %d visits without forced playouts, %d with (n_forced %.1f); B8 %d, %d", prior[0], free[0], forced[0], want, free[1], forced[1])
	if float64(forced[0]) < want-1 {
		t.Errorf("forced playouts: A9 %d visits; want >= %.1f", forced[0], want-1)
	}
	if float64(free[0]) > 0.6*want {
		t.Errorf("without forced playouts A9 has %d visits, near n_forced %.1f: the test shows nothing", free[0], want)
	}
	if plain.Best != board.PointAt(1, 1) || res.Best != board.PointAt(1, 1) {
		t.Fatalf("best moves %s, %s; want B8", plain.Best.GTP(9), res.Best.GTP(9))
	}

	target := s.PrunedVisits(2)
	got := map[board.Point]int{}
	total := 0
	for _, mv := range target {
		got[mv.Move] = mv.Visits
		total += mv.Visits
		if mv.Visits <= 1 {
			t.Errorf("pruned target keeps %s with %d visits", mv.Move.GTP(9), mv.Visits)
		}
	}
	if target[0].Move != board.PointAt(1, 1) || got[board.PointAt(1, 1)] != forced[1] {
		t.Errorf("pruned target: first %s, B8 %d; want B8 first with its %d visits", target[0].Move.GTP(9), got[board.PointAt(1, 1)], forced[1])
	}
	a9 := got[board.PointAt(0, 0)]
	if a9 > free[0]+2 || float64(a9)/float64(total) > 0.01 {
		t.Errorf("pruned target: A9 %d of %d; want at most PUCT's own %d (+2), under 1%%", a9, total, free[0])
	}
	t.Logf("pruned target: A9 %d, B8 %d of %d (%d moves; raw %d of %d moves)", a9, got[board.PointAt(1, 1)], total, len(target), sum, len(res.Moves))

	// k 0: the raw counts.
	raw := s.PrunedVisits(0)
	if len(raw) != len(res.Moves) {
		t.Fatalf("PrunedVisits(0): %d moves; want %d", len(raw), len(res.Moves))
	}
	for i, mv := range raw {
		if mv.Move != res.Moves[i].Move || mv.Visits != res.Moves[i].Visits {
			t.Fatalf("PrunedVisits(0)[%d] = %v; want %s %d", i, mv, res.Moves[i].Move.GTP(9), res.Moves[i].Visits)
		}
	}
}

// TestForcedPlayoutsOffByDefault: the zero Options (play, analysis,
// pondering) never force: the search is the same as before forced
// playouts existed, visit for visit.
func TestForcedPlayoutsOffByDefault(t *testing.T) {
	_, a, _, _ := forcedSearch(t, 0, 400, 1)
	cfg := DefaultConfig()
	s := mustSearcher(t, trapEval(), cfg)
	s.SetGame(newGame(t, 9))
	b, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 400}, Analysis: func([]MoveStat, RootInfo) {}})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Moves) != len(b.Moves) {
		t.Fatalf("%d and %d moves", len(a.Moves), len(b.Moves))
	}
	for i := range a.Moves {
		if a.Moves[i].Move != b.Moves[i].Move || a.Moves[i].Visits != b.Moves[i].Visits {
			t.Fatalf("move %d: %s %d and %s %d visits", i, a.Moves[i].Move.GTP(9), a.Moves[i].Visits, b.Moves[i].Move.GTP(9), b.Moves[i].Visits)
		}
	}
	if _, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 500}, ForcedPlayouts: -1}); err == nil {
		t.Error("ForcedPlayouts -1: no error")
	}
	if _, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 500}, ForcedPlayouts: math.NaN()}); err == nil {
		t.Error("ForcedPlayouts NaN: no error")
	}
}

// TestForcedPlayoutsParallel: with several goroutines (virtual loss in
// flight) the forced visits still arrive; run with -race.
func TestForcedPlayoutsParallel(t *testing.T) {
	visits := 1600
	if raceEnabled {
		visits = 800
	}
	s, res, forced, prior := forcedSearch(t, 2, visits, 4)
	sum := 0
	for _, m := range res.Moves {
		sum += m.Visits
	}
	if want := math.Sqrt(2 * prior[0] * float64(sum)); float64(forced[0]) < want-2 {
		t.Errorf("4 threads: A9 %d visits; want >= %.1f", forced[0], want-2)
	}
	if target := s.PrunedVisits(2); len(target) == 0 || target[0].Move != board.PointAt(1, 1) {
		t.Errorf("pruned target %v; want B8 first", target)
	}
}

// TestPrunedVisitsArithmetic: a root built by hand. B8 (prior .3, lost)
// is cut by its n_forced, sqrt(2*.3*133) = 8.9 of its 30 visits, although
// PUCT would have wanted only 3.1: 22 kept. C7 (prior .005, 2 visits)
// would be wanted for none and loses n_forced 1.15: 1 kept, dropped. D6's
// one visit is above c*'s PUCT value, so not cut, but dropped as a single
// visit. A9, the most visited, keeps its 100.
func TestPrunedVisitsArithmetic(t *testing.T) {
	s := mustSearcher(t, trapEval(), DefaultConfig())
	s.SetGame(newGame(t, 9))
	a9, b8, c7, d6 := board.PointAt(0, 0), board.PointAt(1, 1), board.PointAt(2, 2), board.PointAt(3, 3)
	s.tree.reset(100)
	*s.tree.at(0) = node{move: board.Pass, first: 1, nchild: 4, n: 134, state: expanded}
	if first := s.tree.alloc(4); first != 1 {
		t.Fatalf("alloc(4) = %d; want 1", first)
	}
	copy(s.tree.span(1, 4), []node{
		{move: a9, n: 100, prior: 0.5, first: -1},
		{move: b8, n: 30, w: -30, prior: 0.3, first: -1},
		{move: c7, n: 2, prior: 0.005, first: -1},
		{move: d6, n: 1, w: 0.5, prior: 0.195, first: -1}})
	got := s.PrunedVisits(2)
	want := []MoveVisits{{a9, 100}, {b8, 22}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("PrunedVisits(2) = %v; want %v", got, want)
	}
	if raw := s.PrunedVisits(0); len(raw) != 4 || raw[1] != (MoveVisits{b8, 30}) || raw[3] != (MoveVisits{d6, 1}) {
		t.Fatalf("PrunedVisits(0) = %v; want the raw counts", raw)
	}
}
