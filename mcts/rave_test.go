package mcts

import (
	"context"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// scriptedAMAF "plays out" a fixed script of moves from the side to move
// (points by index in the script; colours alternate from the side to
// move) and values every leaf 0.5 for its side to move.
type scriptedAMAF struct{ script []board.Point }

func (e *scriptedAMAF) Evaluate(ctx context.Context, s *board.State, priors []float32) (float32, error) {
	for i := range priors {
		priors[i] = 1
	}
	priors[12] = 5 // C3 first
	return 0.5, nil
}

func (e *scriptedAMAF) EvaluateAMAF(ctx context.Context, s *board.State, priors []float32, moves *[]board.Move) (float32, error) {
	c := s.ToMove
	for _, pt := range e.script {
		*moves = append(*moves, board.Move{Color: c, Point: pt})
		c = c.Opponent()
	}
	return e.Evaluate(ctx, s, priors)
}

func (s *Searcher) child(t *testing.T, parent int32, pt board.Point) *node {
	t.Helper()
	nd := s.tree.at(parent)
	for c := nd.first; c < nd.first+nd.nchild; c++ {
		if s.tree.at(c).move == pt {
			return s.tree.at(c)
		}
	}
	t.Fatalf("no child %v", pt)
	return nil
}

// TestRAVEBackup checks the all-moves-as-first arithmetic by hand: the
// root's expansion "plays out" B C3, W D4, B E5; the next simulation
// goes to C3 (the highest prior) and plays out W D4, B E5.
func TestRAVEBackup(t *testing.T) {
	c3, d4, e5 := board.PointAt(2, 2), board.PointAt(3, 1), board.PointAt(4, 0)
	g := newGame(t, 5)
	cfg := DefaultConfig()
	cfg.RAVEEquiv = 1000
	ev := &scriptedAMAF{script: []board.Point{c3, d4, e5}}
	s := mustSearcher(t, ev, cfg)
	s.SetGame(g)
	if _, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 1}}); err != nil {
		t.Fatal(err)
	}
	// Black to move at the root: C3 and E5 were Black's first plays there.
	for _, tc := range []struct {
		pt   board.Point
		n    int32
		w    float64
		what string
	}{{c3, 1, 0.5, "C3"}, {e5, 1, 0.5, "E5"}, {d4, 0, 0, "D4 (White's)"}} {
		if ch := s.child(t, 0, tc.pt); ch.amafN != tc.n || ch.amafW != tc.w {
			t.Errorf("after expansion: %s amaf %d/%v; want %d/%v", tc.what, ch.amafN, ch.amafW, tc.n, tc.w)
		}
	}
	ev.script = []board.Point{d4, e5}
	if _, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 2}}); err != nil {
		t.Fatal(err)
	}
	root := s.tree.at(0)
	c3node := s.child(t, 0, c3)
	if c3node.n != 1 {
		t.Fatalf("second simulation did not go to C3: C3 has %d visits", c3node.n)
	}
	// Leaf C3, White to move, value 0.5 for White. Under C3, White's D4
	// counts for White; at the root, -0.5 for Black to C3 (played in
	// the tree) and E5 (in the playout).
	c3idx := int32(-1)
	for c := root.first; c < root.first+root.nchild; c++ {
		if s.tree.at(c).move == c3 {
			c3idx = c
		}
	}
	if ch := s.child(t, c3idx, d4); ch.amafN != 1 || ch.amafW != 0.5 {
		t.Errorf("C3's child D4 amaf %d/%v; want 1/0.5", ch.amafN, ch.amafW)
	}
	if ch := s.child(t, c3idx, e5); ch.amafN != 0 {
		t.Errorf("C3's child E5 (Black's move, White to play) amaf %d", ch.amafN)
	}
	if ch := s.child(t, 0, c3); ch.amafN != 2 || ch.amafW != 0 {
		t.Errorf("root child C3 amaf %d/%v; want 2/0", ch.amafN, ch.amafW)
	}
	if ch := s.child(t, 0, e5); ch.amafN != 2 || ch.amafW != 0 {
		t.Errorf("root child E5 amaf %d/%v; want 2/0", ch.amafN, ch.amafW)
	}
	if ch := s.child(t, 0, d4); ch.amafN != 0 {
		t.Errorf("root child D4 amaf %d; want 0 (White's)", ch.amafN)
	}
}
