package mcts

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tengen-go/tengen/board"
)

// fixedEval returns fixed priors (by move index) and a value by the number
// of stones, from the side to move's view.
type fixedEval struct {
	priors map[int]float32
	value  func(s *board.State) float32
	calls  atomic.Int64
	err    error
	delay  time.Duration // per evaluation, to bound the visit rate
}

func (f *fixedEval) Evaluate(ctx context.Context, s *board.State, priors []float32) (float32, error) {
	f.calls.Add(1)
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	if f.err != nil {
		return 0, f.err
	}
	for i := range priors {
		priors[i] = 0.001
		if p, ok := f.priors[i]; ok {
			priors[i] = p
		}
	}
	if f.value == nil {
		return 0, nil
	}
	return f.value(s), ctx.Err()
}

func newGame(t testing.TB, size int) *board.Game {
	g, err := board.NewGame(size, 7.5, board.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func mustSearcher(t testing.TB, e Evaluator, cfg Config) *Searcher {
	s, err := NewSearcher(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPUCTArithmetic: with equal values everywhere, visits follow the
// priors; the first simulation expands the root and later ones visit the
// child with the highest PUCT score.
func TestPUCTArithmetic(t *testing.T) {
	g := newGame(t, 9)
	// Priors: A9 (index 0) 0.6, B8 (index 10) 0.3, the rest tiny. Boards
	// this large keep terminal positions (with their +-1 values) out of
	// reach.
	e := &fixedEval{priors: map[int]float32{0: 0.6, 10: 0.3}}
	cfg := DefaultConfig()
	cfg.FPUReduction, cfg.RootFPUReduction = 0, 0
	s := mustSearcher(t, e, cfg)
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	// Root expanded by the preliminary simulation, then one playout.
	if res.Visits != 2 {
		t.Fatalf("root visits %d; want 2", res.Visits)
	}
	if res.Best != board.PointAt(0, 0) {
		t.Fatalf("first visit went to %s; want A9 (highest prior)", res.Best.GTP(9))
	}
	res, _ = s.Search(context.Background(), Options{Limits: Limits{Visits: 1000}})
	var a3, b2, rest int
	for _, m := range res.Moves {
		switch m.Move {
		case board.PointAt(0, 0):
			a3 = m.Visits
		case board.PointAt(1, 1):
			b2 = m.Visits
		default:
			rest += m.Visits
		}
	}
	if res.Visits != 1000 {
		t.Fatalf("visits %d; want 1000", res.Visits)
	}
	// Values are all 0, so visits are proportional to priors (PUCT with
	// Q equal): A3 about twice B2.
	if ratio := float64(a3) / float64(b2); ratio < 1.6 || ratio > 2.4 {
		t.Fatalf("A9 %d vs B8 %d visits: ratio %.2f; want about 2", a3, b2, ratio)
	}
	if rest > 100 {
		t.Fatalf("%d visits to moves of prior 0.001", rest)
	}
	prior := 0.0
	for _, m := range res.Moves {
		prior += m.Prior
	}
	if prior > 1.0001 {
		t.Fatalf("priors sum to %v", prior)
	}
}

// TestBackupSigns: a position where one move wins for the side to move
// must get a high winrate, and values alternate sides down the tree.
func TestBackupSigns(t *testing.T) {
	g := newGame(t, 3)
	target := board.PointAt(1, 1)
	// Value for the side to move: -1 if the opponent holds B2 (the mover
	// lost it), +1 if the mover holds it, 0 otherwise.
	e := &fixedEval{value: func(s *board.State) float32 {
		switch s.Pos.At(target) {
		case s.ToMove:
			return 1
		case s.ToMove.Opponent():
			return -1
		}
		return 0
	}}
	s := mustSearcher(t, e, DefaultConfig())
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 400}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Best != target {
		t.Fatalf("best %s; want B2", res.Best.GTP(3))
	}
	if res.Winrate < 0.9 {
		t.Fatalf("winrate of B2 %.3f; want near 1", res.Winrate)
	}
	for _, m := range res.Moves[1:] {
		if m.Winrate > 0.5 {
			t.Errorf("move %s winrate %.3f; want < 0.5 (the opponent takes B2)", m.Move.GTP(3), m.Winrate)
		}
	}
}

func TestDeterministic(t *testing.T) {
	run := func() []MoveStat {
		g := newGame(t, 7)
		s := mustSearcher(t, NewPlayoutEvaluator(1, 42), DefaultConfig())
		s.SetGame(g)
		res, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: 300}})
		if err != nil {
			t.Fatal(err)
		}
		return res.Moves
	}
	a, b := run(), run()
	if len(a) != len(b) {
		t.Fatalf("different move counts %d %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Move != b[i].Move || a[i].Visits != b[i].Visits || a[i].Winrate != b[i].Winrate {
			t.Fatalf("runs differ at %d: %+v vs %+v", i, a[i], b[i])
		}
	}
}

func TestCancellation(t *testing.T) {
	g := newGame(t, 9)
	cfg := DefaultConfig()
	cfg.Threads = 2
	s := mustSearcher(t, NewPlayoutEvaluator(1, 1), cfg)
	s.SetGame(g)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	start := time.Now()
	res, err := s.Search(ctx, Options{}) // no limits: until cancelled
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("search took %v after cancel", d)
	}
	if res.Playouts == 0 {
		t.Fatal("no playouts before cancel")
	}
}

func TestTimeLimit(t *testing.T) {
	g := newGame(t, 9)
	s := mustSearcher(t, NewPlayoutEvaluator(1, 1), DefaultConfig())
	s.SetGame(g)
	start := time.Now()
	if _, err := s.Search(context.Background(), Options{Limits: Limits{Time: 150 * time.Millisecond}}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
		t.Fatalf("search took %v; want about 150ms", d)
	}
}

func TestEvaluatorErrorPropagates(t *testing.T) {
	g := newGame(t, 5)
	boom := errors.New("boom")
	s := mustSearcher(t, &fixedEval{err: boom}, DefaultConfig())
	s.SetGame(g)
	if _, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: 10}}); !errors.Is(err, boom) {
		t.Fatalf("err = %v; want boom", err)
	}
}

func TestNodeLimit(t *testing.T) {
	g := newGame(t, 9)
	cfg := DefaultConfig()
	cfg.MaxNodes = 500
	s := mustSearcher(t, NewPlayoutEvaluator(1, 1), cfg)
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: 3000}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.TreeFull {
		t.Fatal("TreeFull not reported")
	}
	if res.Nodes > 500 {
		t.Fatalf("%d nodes; limit 500", res.Nodes)
	}
	// A full tree stops growing, not searching.
	if res.Playouts != 3000 || res.Visits < 3000 {
		t.Fatalf("%d playouts, %d root visits: the search stopped at the node limit", res.Playouts, res.Visits)
	}
}

// TestNodeLimitRoot: an arena too small for the root's children ends the
// search at once, with a result and no error.
func TestNodeLimitRoot(t *testing.T) {
	g := newGame(t, 9)
	cfg := DefaultConfig()
	cfg.MaxNodes = 50 // the root has 82 children
	s := mustSearcher(t, NewPlayoutEvaluator(1, 1), cfg)
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.TreeFull || res.Playouts != 0 {
		t.Fatalf("TreeFull %v, %d playouts; want a full tree and none", res.TreeFull, res.Playouts)
	}
}

// TestExpandVisits: with ExpandVisits k a node gets its children at its
// k-th visit, so every expanded node but the root has at least k visits,
// the tree is smaller than with k = 1 for the same playouts, and the
// root expands at once whatever k.
func TestExpandVisits(t *testing.T) {
	nodes := map[int]int{}
	for _, k := range []int{1, 3, 1 << 20} {
		g := newGame(t, 9)
		cfg := DefaultConfig()
		cfg.ExpandVisits = k
		s := mustSearcher(t, NewPlayoutEvaluator(1, 5), cfg)
		s.SetGame(g)
		res, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: 2000}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Visits < 2000 || res.TreeFull {
			t.Fatalf("k %d: %d visits, tree full %v", k, res.Visits, res.TreeFull)
		}
		expandedNodes := 0
		for i, nd := range s.tree.all() {
			if nd.state != expanded || nd.nchild == 0 {
				continue
			}
			expandedNodes++
			if i != 0 && int(nd.n) < k {
				t.Fatalf("k %d: node %d expanded with %d visits", k, i, nd.n)
			}
		}
		if expandedNodes == 0 {
			t.Fatalf("k %d: the root did not expand", k)
		}
		nodes[k] = res.Nodes
	}
	if nodes[1<<20] != 1+82 {
		t.Fatalf("k huge: %d nodes; want the root and its 82 children", nodes[1<<20])
	}
	if !(nodes[3] < nodes[1]/2) {
		t.Fatalf("nodes: k=1 %d, k=3 %d; want fewer than half with k=3", nodes[1], nodes[3])
	}
}

func TestTreeReuse(t *testing.T) {
	g := newGame(t, 7)
	s := mustSearcher(t, NewPlayoutEvaluator(1, 3), DefaultConfig())
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 2000}})
	if err != nil {
		t.Fatal(err)
	}
	best := res.Moves[0]
	if err := g.Play(board.Black, best.Move); err != nil {
		t.Fatal(err)
	}
	// The opponent answers with its most visited reply in our tree.
	reply := best.PV[1]
	if err := g.Play(board.White, reply); err != nil {
		t.Fatal(err)
	}
	s.SetGame(g)
	res2, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Visits < 10 {
		t.Fatalf("after reuse the root has %d visits; want the subtree's", res2.Visits)
	}
	// A different line starts afresh.
	g2 := newGame(t, 7)
	s.SetGame(g2)
	res3, _ := s.Search(context.Background(), Options{Limits: Limits{Playouts: 1}})
	if res3.Visits != 2 {
		t.Fatalf("fresh tree root visits %d; want 2", res3.Visits)
	}
}

func TestParallelSearchAccounting(t *testing.T) {
	g := newGame(t, 9)
	cfg := DefaultConfig()
	cfg.Threads = 4
	s := mustSearcher(t, NewPlayoutEvaluator(1, 9), cfg)
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: 400}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Playouts != 400 {
		t.Fatalf("playouts %d; want 400", res.Playouts)
	}
	if res.Visits != 401 {
		t.Fatalf("root visits %d; want 401 (400 + the root's expansion)", res.Visits)
	}
	sum := 0
	for _, m := range res.Moves {
		sum += m.Visits
	}
	if sum != 400 {
		t.Fatalf("children visits sum %d; want 400", sum)
	}
	// No virtual loss may remain.
	for i, nd := range s.tree.all() {
		if nd.vl != 0 {
			t.Fatalf("node %d keeps virtual loss %d", i, nd.vl)
		}
	}
}

func TestAvoidAllow(t *testing.T) {
	g := newGame(t, 5)
	s := mustSearcher(t, NewPlayoutEvaluator(1, 4), DefaultConfig())
	s.SetGame(g)
	center := board.PointAt(2, 2)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: 300}, Avoid: []board.Point{center}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Moves {
		if m.Move == center && m.Visits > 1 {
			t.Fatalf("avoided move searched %d times", m.Visits)
		}
	}
	allow := []board.Point{board.PointAt(1, 1), board.PointAt(3, 3)}
	res, _ = s.Search(context.Background(), Options{Limits: Limits{Playouts: 300}, Allow: allow})
	if res.Best != allow[0] && res.Best != allow[1] {
		t.Fatalf("best %s not in allow list", res.Best.GTP(5))
	}
}

// TestAvoidAfterVisits: a move visited by an earlier search of the same
// root and then avoided must vanish from the result and never be best
// (Lizzie/KaTrain send avoid to a pondering engine).
func TestAvoidAfterVisits(t *testing.T) {
	g := newGame(t, 5)
	s := mustSearcher(t, NewPlayoutEvaluator(1, 4), DefaultConfig())
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: 300}})
	if err != nil {
		t.Fatal(err)
	}
	first := res.Best
	if res.Moves[0].Visits < 2 {
		t.Fatalf("best move has %d visits", res.Moves[0].Visits)
	}
	res, err = s.Search(context.Background(), Options{Limits: Limits{Playouts: 600}, Avoid: []board.Point{first}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Best == first {
		t.Fatalf("avoided %s still best", first.GTP(5))
	}
	for _, m := range res.Moves {
		if m.Move == first {
			t.Fatalf("avoided %s reported with %d visits", first.GTP(5), m.Visits)
		}
	}
	for _, m := range s.Snapshot() {
		if m.Move == first {
			t.Fatalf("avoided %s in snapshot", first.GTP(5))
		}
	}
}

func TestDirichlet(t *testing.T) {
	s := mustSearcher(t, NewPlayoutEvaluator(1, 1), DefaultConfig())
	x := dirichlet(s.rng, 0.03, 361)
	sum := 0.0
	for _, v := range x {
		if v < 0 || math.IsNaN(v) {
			t.Fatalf("bad sample %v", v)
		}
		sum += v
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Fatalf("sum %v", sum)
	}
}

func TestTerminalPasses(t *testing.T) {
	// After the opponent passes on a board where we are ahead by area,
	// passing wins at once: the search must find it.
	g := newGame(t, 5)
	g.SetKomi(0.5)
	for _, v := range []string{"C3", "pass"} {
		pt, _ := board.ParseGTP(v, 5)
		if err := g.Play(g.ToMove(), pt); err != nil {
			t.Fatal(err)
		}
	}
	s := mustSearcher(t, NewPlayoutEvaluator(1, 5), DefaultConfig())
	s.SetGame(g)
	res, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: 500}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Best != board.Pass || res.Winrate < 0.99 {
		t.Fatalf("best %s winrate %.3f; want pass at 1.0", res.Best.GTP(5), res.Winrate)
	}
}

// TestKnowledgePriors: the playout evaluator's priors (rollout.Priors).
func TestKnowledgePriors(t *testing.T) {
	// Black to move can capture the white stone at B2 (in atari) by
	// playing B1; the prior of the capture must beat a quiet move, and a
	// move filling Black's own eye must be far below both.
	p, err := board.ParseDiagram(`
		. . . . .
		. . . . .
		X . . . .
		O X . . .
		. O X . .`)
	if err != nil {
		t.Fatal(err)
	}
	g := newGame(t, 5)
	var bl, wh []board.Point
	for _, pt := range board.Points(5) {
		switch p.At(pt) {
		case board.Black:
			bl = append(bl, pt)
		case board.White:
			wh = append(wh, pt)
		}
	}
	g.Setup(board.Black, bl)
	g.Setup(board.White, wh)
	st := g.State()
	pri := make([]float32, 26)
	if _, err := NewPlayoutEvaluator(1, 1).Evaluate(context.Background(), &st, pri); err != nil {
		t.Fatal(err)
	}
	at := func(v string) float32 {
		pt, _ := board.ParseGTP(v, 5)
		x, y := pt.XY()
		return pri[y*5+x]
	}
	if at("A1") <= at("D4") {
		t.Errorf("capture A1 prior %v not above quiet D4 %v", at("A1"), at("D4"))
	}
	if at("B3") != 0 && at("B3") > at("A1") {
		t.Errorf("B3 %v", at("B3"))
	}
	if pri[25] >= at("D4") {
		t.Errorf("pass prior %v not below a quiet move %v", pri[25], at("D4"))
	}
}

// TestNoNoise: with root noise configured, a search with NoNoise leaves
// the priors as the evaluator gave them, a search without it changes them,
// and a NoNoise search does not use up the noise of a later search.
func TestNoNoise(t *testing.T) {
	g := newGame(t, 5)
	cfg := DefaultConfig()
	cfg.NoiseAlpha = 0.5
	ev := &fixedEval{priors: map[int]float32{0: 1}}
	priors := func(s *Searcher) map[board.Point]float32 {
		s.mu.Lock()
		defer s.mu.Unlock()
		root := s.tree.at(0)
		out := map[board.Point]float32{}
		for c := root.first; c < root.first+root.nchild; c++ {
			out[s.tree.at(c).move] = s.tree.at(c).prior
		}
		return out
	}
	s := mustSearcher(t, ev, cfg)
	s.SetGame(g)
	if _, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 4}, NoNoise: true}); err != nil {
		t.Fatal(err)
	}
	clean := priors(s)
	want := float32(1) / (1 + 0.001*25) // point 0 against 24 points and pass at 0.001
	if p := clean[board.PointAt(0, 0)]; math.Abs(float64(p-want)) > 1e-5 {
		t.Fatalf("NoNoise: prior of A5 %v; want %v", p, want)
	}
	if _, err := s.Search(context.Background(), Options{Limits: Limits{Visits: 8}}); err != nil {
		t.Fatal(err)
	}
	noisy := priors(s)
	changed := 0
	for pt, p := range noisy {
		if p != clean[pt] {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("a search without NoNoise left every prior unchanged")
	}
}

func TestConfigRejects(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"threads":       func(c *Config) { c.Threads = 0 },
		"expand visits": func(c *Config) { c.ExpandVisits = -1 },
		"max nodes":     func(c *Config) { c.MaxNodes = 1 },
		"virtual loss":  func(c *Config) { c.VirtualLoss = -1 },
	} {
		cfg := DefaultConfig()
		mod(&cfg)
		if _, err := NewSearcher(NewPlayoutEvaluator(1, 1), cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v; want ErrConfig", name, err)
		}
	}
}
