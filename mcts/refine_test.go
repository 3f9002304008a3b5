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

// valueRefiner is a ValueRefiner whose leaves (the cheap evaluation)
// like Black's stone on a and whose network value likes it on b.
type valueRefiner struct {
	fixedEval
	lambda  float64
	a, b    board.Point
	refines atomic.Int64
}

func (r *valueRefiner) RefineAt() int       { return 10 }
func (r *valueRefiner) NodeLambda() float64 { return r.lambda }

func (r *valueRefiner) Refine(ctx context.Context, s *board.State, priors []float32) error {
	_, err := r.RefineValue(ctx, s, priors)
	return err
}

// RefineValue: uniform priors (they decide nothing) and, for the side to
// move, -0.9 when Black has a stone on b, +0.9 when on a.
func (r *valueRefiner) RefineValue(ctx context.Context, s *board.State, priors []float32) (float32, error) {
	r.refines.Add(1)
	for i := range priors {
		priors[i] = 1
	}
	v := float32(0)
	switch {
	case s.Pos.At(r.b) == board.Black:
		v = 0.9
	case s.Pos.At(r.a) == board.Black:
		v = -0.9
	}
	if s.ToMove == board.Black {
		return v, ctx.Err()
	}
	return -v, ctx.Err()
}

// TestNodeValueMixing: with NodeLambda 1 the search follows its leaves
// (a); with NodeLambda 0.3 the network's values of the refined nodes,
// mixed into the simulations below them, outweigh the leaves (b), and
// the reported winrate of b mixes them in. A network value turned to the
// wrong side at the leaves (it alternates with depth) would make the
// search flee b.
func TestNodeValueMixing(t *testing.T) {
	a, b := board.PointAt(2, 2), board.PointAt(6, 6)
	for _, c := range []struct {
		lambda float64
		want   board.Point
	}{{1, a}, {0.3, b}} {
		r := &valueRefiner{lambda: c.lambda, a: a, b: b}
		r.value = func(s *board.State) float32 {
			v := float32(0)
			if s.Pos.At(a) == board.Black {
				v = 0.3 // the leaves think a is worth 0.3 to Black
			}
			if s.ToMove == board.Black {
				return v
			}
			return -v
		}
		cfg := DefaultConfig()
		cfg.Threads = 1
		s := mustSearcher(t, r, cfg)
		s.SetGame(newGame(t, 9))
		res, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 3000}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Best != c.want {
			t.Errorf("lambda %v: best %s, want %s", c.lambda, res.Best.GTP(9), c.want.GTP(9))
		}
		if r.refines.Load() < 2 {
			t.Errorf("lambda %v: %d refinements", c.lambda, r.refines.Load())
		}
		if c.lambda < 1 && res.Moves[0].Move == b {
			// Leaves say 0.5 for b, the network 0.95: a mix in between.
			if w := res.Moves[0].Winrate; w < 0.6 || w > 0.9 {
				t.Errorf("winrate of b %.3f: want the leaves' 0.5 and the network's 0.95 mixed", w)
			}
		}
	}
}

// TestFullTreeSearchGoesOn: a refining search on two goroutines with late
// expansion keeps searching once the arena is full, up to its visit limit
// (analysis without a limit would otherwise freeze at the node limit).
func TestFullTreeSearchGoesOn(t *testing.T) {
	g := newGame(t, 9)
	r := &refiner{at: 20, good: 4*9 + 4}
	r.value = func(*board.State) float32 { return 0.1 }
	cfg := DefaultConfig()
	cfg.Threads = 2
	cfg.ExpandVisits = 2
	cfg.MaxNodes = 2000
	s := mustSearcher(t, r, cfg)
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 6000}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.TreeFull || res.Nodes > 2000 || res.Visits < 6000 {
		t.Fatalf("tree full %v, %d nodes, %d visits; want a full tree of at most 2000 nodes and 6000 visits", res.TreeFull, res.Nodes, res.Visits)
	}
}

// TestRefineCorrectsTactics: at a refined node the network's prior of a
// doomed escape is scaled by Doomed and a big capture's is raised to
// Stake per stone, the priors' sum kept; off, the network's priors stand.
func TestRefineCorrectsTactics(t *testing.T) {
	// White's E5 is in atari and laddered (its escape F5 is doomed for
	// White); for Black, F5 captures it. Black's four stones A1-D1 in
	// the corner are in atari too: White captures four at E1.
	pos, err := board.ParseDiagram(`
		. . . . . . . . .
		. . . . . . . . .
		. . . . . . . . .
		. . . . X . . . .
		. . . X O . . . .
		. . . . X X . . .
		. . . . . . . . .
		O O O O O . . . .
		X X X X . . . . .`)
	if err != nil {
		t.Fatal(err)
	}
	n := 9
	at := func(v string) int {
		p, err := board.ParseGTP(v, n)
		if err != nil {
			t.Fatal(err)
		}
		x, y := p.XY()
		return y*n + x
	}
	net := &fixedEval{priors: map[int]float32{at("F5"): 0.5, at("C5"): 0.2}}
	refine := func(m *MixedEvaluator) []float32 {
		t.Helper()
		s := board.State{Pos: *pos, ToMove: board.White, Komi: 7}
		priors := make([]float32, n*n+1)
		if err := m.Refine(context.Background(), &s, priors); err != nil {
			t.Fatal(err)
		}
		return priors
	}
	sum := func(ps []float32) (s float32) {
		for _, p := range ps {
			s += p
		}
		return s
	}
	off := refine(&MixedEvaluator{Net: net, ExpandAt: 40})
	on := refine(&MixedEvaluator{Net: net, ExpandAt: 40, Doomed: 0.1, Stake: 0.05})
	if off[at("F5")] != 0.5 || off[at("E1")] != 0.001 {
		t.Fatalf("off: F5 %v, E1 %v; want the network's 0.5 and 0.001", off[at("F5")], off[at("E1")])
	}
	if d := sum(on) - sum(off); d > 1e-4 || d < -1e-4 {
		t.Errorf("sum of priors %v, want %v", sum(on), sum(off))
	}
	// Relative to an untouched move (C5), the doomed escape lost a
	// factor 10 and the capture of four gained its floor (0.2 of the sum).
	if r := on[at("F5")] / on[at("C5")]; r < 0.24 || r > 0.26 {
		t.Errorf("F5/C5 = %v, want 0.25 (0.5/0.2 scaled by 0.1)", r)
	}
	if f := on[at("E1")] / sum(on); f < 0.15 {
		t.Errorf("E1 has %.3f of the priors, want about 0.2 (floor 0.05 x 4 stones)", f)
	}
}
