package mcts

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// refiner has uniform cheap priors and refined priors that put nearly
// everything on one point; it counts its refinements.
type refiner struct {
	fixedEval
	at      int
	good    int // the refined priors' favourite, by move index
	refines atomic.Int64
}

func (r *refiner) RefineAt() int { return r.at }

func (r *refiner) Refine(ctx context.Context, s *board.State, priors []float32) error {
	r.refines.Add(1)
	for i := range priors {
		priors[i] = 0.001
	}
	priors[r.good] = 10
	return ctx.Err()
}

// TestRefinePriors: the root gets the refined priors at once (its
// favourite gets the visits although the cheap priors are uniform),
// deeper nodes once they reach the threshold, and refinements are few.
func TestRefinePriors(t *testing.T) {
	g := newGame(t, 9)
	r := &refiner{at: 20, good: 4*9 + 4} // E5
	r.value = func(*board.State) float32 { return 0 }
	cfg := DefaultConfig()
	cfg.Threads = 2
	s := mustSearcher(t, r, cfg)
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Best != board.PointAt(4, 4) || res.Moves[0].Prior < 0.9 {
		t.Fatalf("best %s with prior %.3f: the root was not refined", res.Best.GTP(9), res.Moves[0].Prior)
	}
	n := int(r.refines.Load())
	if n < 2 || n > 1000/20+1 {
		t.Errorf("%d refinements for 1000 visits at threshold 20", n)
	}
	// Every node with at least 20 visits is refined; none with fewer
	// (except the root).
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, nd := range s.tree.all() {
		if i == 0 {
			continue
		}
		if nd.state != expanded || nd.nchild == 0 {
			continue
		}
		if nd.n > 20+int32(cfg.Threads) && nd.refine != refined {
			t.Errorf("node %d with %d visits not refined", i, nd.n)
		}
		if nd.n < 20 && nd.refine != unrefined {
			t.Errorf("node %d with %d visits refined", i, nd.n)
		}
	}
}

// TestRefineKeepsAvoid: refinement does not bring back a move that
// avoid/allow ruled out.
func TestRefineKeepsAvoid(t *testing.T) {
	g := newGame(t, 9)
	r := &refiner{at: 20, good: 4*9 + 4}
	r.value = func(*board.State) float32 { return 0 }
	s := mustSearcher(t, r, DefaultConfig())
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 300}, Avoid: []board.Point{board.PointAt(4, 4)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Moves {
		if m.Move == board.PointAt(4, 4) {
			t.Fatalf("avoided E5 searched: %d visits", m.Visits)
		}
	}
	if r.refines.Load() == 0 {
		t.Fatal("no refinement")
	}
}
