package mcts

import (
	"context"
	"testing"
	"time"

	"github.com/tengen-go/tengen/board"
)

// TestSearchAfterTwoPasses: play goes on after two passes (Sabaki, KGS
// cleanup); the root is never terminal, and the search gives a move.
// Issue 12: `play b pass`, `play w pass`, `genmove b` panicked in
// prepareRoot.
func TestSearchAfterTwoPasses(t *testing.T) {
	for _, limits := range []Limits{{Visits: 1}, {Visits: 2}, {Playouts: 1}, {Visits: 50}} {
		g := newGame(t, 9)
		for _, c := range []board.Color{board.Black, board.White} {
			if err := g.Play(c, board.Pass); err != nil {
				t.Fatal(err)
			}
		}
		cfg := DefaultConfig()
		cfg.NoiseAlpha = 0.3 // noise too: prepareRoot touches the children
		s := mustSearcher(t, NewPlayoutEvaluator(1, 1), cfg)
		for move := range 3 {
			s.SetGame(g)
			res, err := s.Search(context.Background(), Options{Limits: limits})
			if err != nil {
				t.Fatalf("%+v move %d: %v", limits, move, err)
			}
			// An empty board is open: passing would lose by komi.
			if res.Best == board.Pass && len(g.Position().MovesBeforePass(g.ToMove(), g.Komi(), nil)) > 0 {
				t.Fatalf("%+v move %d: pass on an open board", limits, move)
			}
			if err := g.Play(g.ToMove(), res.Best); err != nil {
				t.Fatalf("%+v: search chose an illegal move: %v", limits, err)
			}
		}
	}
}

// TestOneVisitPlaysBestPrior: a one-visit search plays the evaluator's
// best legal move by prior, not a pass (issue 12: `--visits 1` passed
// every move).
func TestOneVisitPlaysBestPrior(t *testing.T) {
	g := newGame(t, 9)
	// E5 (index 40) highest; pass (81) second.
	e := &fixedEval{priors: map[int]float32{40: 0.5, 81: 0.3, 0: 0.1}}
	s := mustSearcher(t, e, DefaultConfig())
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Best != board.PointAt(4, 4) {
		t.Fatalf("one visit chose %s; want E5 (highest prior)", res.Best.GTP(9))
	}
	// Excluded by avoid: the next best by prior, still not pass.
	s.SetGame(g)
	res, err = s.Search(context.Background(), Options{Limits: Limits{Visits: 1}, Avoid: []board.Point{board.PointAt(4, 4)}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Best == board.PointAt(4, 4) || res.Best == board.Pass {
		t.Fatalf("one visit with E5 avoided chose %s", res.Best.GTP(9))
	}
}

// TestPassReplacedWhileOpen: a network that wants to pass does not pass
// while neutral points remain, but does once the position is settled.
func TestPassReplacedWhileOpen(t *testing.T) {
	open, err := board.ParseDiagram(`
		. X . O .
		X X . O O
		. X . O .
		X X . O O
		. X . O .`)
	if err != nil {
		t.Fatal(err)
	}
	settled, err := board.ParseDiagram(`
		. X O . .
		X X O O O
		. X O . O
		X X O O O
		. X O . O`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		pos  *board.Position
		pass bool
	}{{"open", open, false}, {"settled", settled, true}} {
		for _, visits := range []int{1, 30} {
			g, err := board.NewGame(5, 0.5, board.DefaultRules())
			if err != nil {
				t.Fatal(err)
			}
			setupFrom(t, g, tc.pos)
			e := &fixedEval{priors: map[int]float32{25: 10}} // pass
			s := mustSearcher(t, e, DefaultConfig())
			s.SetGame(g)
			res, err := s.Search(context.Background(), Options{Limits: Limits{Visits: visits}})
			if err != nil {
				t.Fatal(err)
			}
			if (res.Best == board.Pass) != tc.pass {
				t.Errorf("%s, %d visits: best %s; want pass %v", tc.name, visits, res.Best.GTP(5), tc.pass)
			}
		}
	}
}

// setupFrom places pos's stones on the empty game g.
func setupFrom(t *testing.T, g *board.Game, pos *board.Position) {
	t.Helper()
	for _, c := range []board.Color{board.Black, board.White} {
		var pts []board.Point
		for _, pt := range board.Points(pos.Size()) {
			if pos.At(pt) == c {
				pts = append(pts, pt)
			}
		}
		if err := g.Setup(c, pts); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReuseAfterTerminalPass: a pass that ended the game inside the tree
// (the game's second pass) and is then played must not become a root
// with no children (the model-based GTP test found the engine passing in
// cleanup after an analysis of the position before that pass).
func TestReuseAfterTerminalPass(t *testing.T) {
	g := newGame(t, 5)
	if err := g.Play(board.Black, board.PointAt(2, 2)); err != nil {
		t.Fatal(err)
	}
	if err := g.Play(board.White, board.Pass); err != nil {
		t.Fatal(err)
	}
	e := &fixedEval{priors: map[int]float32{25: 10}} // pass first
	s := mustSearcher(t, e, DefaultConfig())
	s.SetGame(g)
	if _, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 30}}); err != nil {
		t.Fatal(err)
	}
	// Black's pass ends the game in the tree; the game goes on.
	if err := g.Play(board.Black, board.Pass); err != nil {
		t.Fatal(err)
	}
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 30}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Best == board.Pass || len(res.Moves) == 0 {
		t.Fatalf("after the game's second pass: best %s, %d root moves", res.Best.GTP(5), len(res.Moves))
	}
}

// TestStopEarly: a search whose best move leads by more visits than the
// time left can give stops before its time limit; without StopEarly it
// runs to the limit.
func TestStopEarly(t *testing.T) {
	g := newGame(t, 9)
	// One move with nearly all the prior: it gets nearly all the visits.
	// The delay bounds the visit rate so that a fast machine does not
	// fill the node arena (which also ends a search) before the limit.
	e := &fixedEval{priors: map[int]float32{40: 1000}, value: func(*board.State) float32 { return 0 }, delay: 200 * time.Microsecond}
	for _, early := range []bool{false, true} {
		s := mustSearcher(t, e, DefaultConfig())
		s.SetGame(g)
		// The lead grows at about the visit rate, so the search can stop
		// near half its time.
		res, err := s.Search(context.Background(), Options{Limits: Limits{Time: time.Second}, StopEarly: early})
		if err != nil {
			t.Fatal(err)
		}
		if early && res.Elapsed > 950*time.Millisecond {
			t.Errorf("StopEarly searched %v of 1s with a decided best move", res.Elapsed)
		}
		if !early && res.Elapsed < 990*time.Millisecond {
			t.Errorf("without StopEarly the search ended after %v of 1s", res.Elapsed)
		}
	}
}
