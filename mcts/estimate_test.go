package mcts

import (
	"context"
	"math"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// lopsided is a settled 9x9 game: Black owns the left six columns and
// White the right three, every region cut into single-point eyes (the
// empty points with even column and row), so nothing can change: Black
// leads by 54-27-7 = 20 points.
func lopsided(t *testing.T) *board.Game {
	g, err := board.NewGame(9, 7, board.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	var black, white []board.Point
	for y := range 9 {
		for x := range 9 {
			eye := x%2 == 0 && y%2 == 0 && x != 6
			switch {
			case eye:
			case x < 6:
				black = append(black, board.PointAt(x, y))
			default:
				white = append(white, board.PointAt(x, y))
			}
		}
	}
	if err := g.Setup(board.Black, black); err != nil {
		t.Fatal(err)
	}
	if err := g.Setup(board.White, white); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestPlayoutEstimates: the playout search's score lead and ownership
// say who is winning and who owns what, from each side's point of view.
func TestPlayoutEstimates(t *testing.T) {
	for _, toMove := range []board.Color{board.Black, board.White} {
		g := lopsided(t)
		g.SetToMove(toMove)
		s := mustSearcher(t, NewPlayoutEvaluator(1, 3), DefaultConfig())
		s.SetGame(g)
		res, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 400}, Ownership: true})
		if err != nil {
			t.Fatal(err)
		}
		lead := 20.0
		if toMove == board.White {
			lead = -lead
		}
		r := res.Root
		if !r.HasScore || math.Abs(r.ScoreLead-lead) > 0.5 {
			t.Errorf("%v to move: root score lead %.1f (has %v), want about %.0f", toMove, r.ScoreLead, r.HasScore, lead)
		}
		if len(r.Ownership) != 81 {
			t.Fatalf("ownership: %d values", len(r.Ownership))
		}
		// Row-major from the top left: columns A-F are Black's, G-J White's.
		for i, o := range r.Ownership {
			want := float32(1)
			if i%9 >= 6 {
				want = -1
			}
			if o != want {
				t.Fatalf("%v to move: ownership of point %d is %.2f, want %v", toMove, i, o, want)
			}
		}
		for _, m := range res.Moves {
			if !m.HasScore || math.Abs(m.ScoreLead-lead) > 0.5 || m.ScoreStdev > 0.5 {
				t.Errorf("%v to move: %s score lead %.1f±%.1f (has %v)", toMove, m.Move.GTP(9), m.ScoreLead, m.ScoreStdev, m.HasScore)
			}
		}
	}
}

// TestTerminalEstimates: game ends inside the tree carry the exact area
// score, even with an evaluator that has no estimate of its own.
func TestTerminalEstimates(t *testing.T) {
	g := lopsided(t)
	if err := g.Play(board.Black, board.Pass); err != nil {
		t.Fatal(err)
	}
	// White to move after a pass: White's pass ends the game, Black by 20
	// (White's other moves fill its own eyes).
	e := &fixedEval{priors: map[int]float32{81: 100}} // pass first
	s := mustSearcher(t, e, DefaultConfig())
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 50}, Ownership: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Moves {
		if m.Move != board.Pass {
			if m.HasScore {
				t.Errorf("%s has a score (%.1f) without an estimating evaluator", m.Move.GTP(9), m.ScoreLead)
			}
			continue
		}
		if !m.HasScore || m.ScoreLead != -20 || m.ScoreStdev != 0 {
			t.Errorf("White's pass: score lead %.2f±%.2f (has %v), want -20 exactly", m.ScoreLead, m.ScoreStdev, m.HasScore)
		}
	}
	if res.Root.Ownership == nil || res.Root.Ownership[0] != 1 || res.Root.Ownership[8] != -1 {
		t.Errorf("root ownership from game ends: %v", res.Root.Ownership[:9])
	}
	// Without Options.Ownership: scores, but no ownership counted.
	s.SetGame(g)
	res, err = s.Search(context.Background(), Options{Limits: Limits{Visits: 50}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Root.Ownership != nil || !res.Root.HasScore {
		t.Errorf("without Ownership: ownership %v, has score %v", res.Root.Ownership != nil, res.Root.HasScore)
	}
}

// TestMinMoves: analysis snapshots show at least MinMoves root moves,
// the unvisited ones by prior with 0 visits, and never an avoided one.
func TestMinMoves(t *testing.T) {
	g := newGame(t, 9)
	e := &fixedEval{priors: map[int]float32{40: 100, 30: 5, 31: 4, 32: 3}}
	s := mustSearcher(t, e, DefaultConfig())
	s.SetGame(g)
	var last []MoveStat
	opts := Options{Limits: Limits{Visits: 3}, MinMoves: 6, Avoid: []board.Point{board.PointAt(3, 3)}} // D6: index 30
	opts.Analysis = func(ms []MoveStat, _ RootInfo) { last = ms }
	res, err := s.Search(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Moves) >= 6 {
		t.Fatalf("3 visits gave %d visited moves", len(res.Moves))
	}
	if len(last) != 6 {
		t.Fatalf("analysis with minmoves 6: %d moves", len(last))
	}
	for i, m := range last {
		if m.Order != i || m.Move == board.PointAt(3, 3) {
			t.Errorf("move %d: %s order %d", i, m.Move.GTP(9), m.Order)
		}
		if i >= len(res.Moves) && (m.Visits != 0 || len(m.PV) != 1) {
			t.Errorf("unvisited move %s: %d visits, pv %v", m.Move.GTP(9), m.Visits, m.PV)
		}
		if i > len(res.Moves) && m.Prior > last[i-1].Prior {
			t.Errorf("unvisited moves not by prior: %v after %v", m.Prior, last[i-1].Prior)
		}
	}
}
