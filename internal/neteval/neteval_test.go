package neteval

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/mcts"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/cpu"
	"github.com/tengen-go/tengen/nets/netstest"
)

func smallNet(t *testing.T, size int) *nets.Weights {
	spec := nets.DefaultSpec(size)
	for i := range spec.Trunk {
		if spec.Trunk[i].Kind == nets.KindConv {
			spec.Trunk[i].Filters = 8
		}
	}
	spec.Value.Hidden = 16
	w, err := nets.NewWeights(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func startBatcher(t *testing.T, be nets.Backend) *nets.Batcher {
	b, err := nets.NewBatcher(be, nets.DefaultBatcherOptions())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return b
}

// TestSymmetriesAgree: the priors and value of one position through each
// of the 8 symmetries come back in the original frame, so they agree with
// a direct forward pass on the identity only up to the network's own
// asymmetry; with the identity fixed they must match it exactly.
func TestMatchesDirectForward(t *testing.T) {
	w := smallNet(t, 9)
	be, err := netstest.NewNaive(w)
	if err != nil {
		t.Fatal(err)
	}
	b := startBatcher(t, be)
	g, _ := board.NewGame(9, 7.5, board.DefaultRules())
	for _, v := range []string{"E5", "C3", "G7"} {
		pt, _ := board.ParseGTP(v, 9)
		g.Play(g.ToMove(), pt)
	}
	st := g.State()
	for sym := range nets.NumSymmetries {
		e, err := New(b, sym, 1)
		if err != nil {
			t.Fatal(err)
		}
		priors := make([]float32, 82)
		v, err := e.Evaluate(context.Background(), &st, priors)
		if err != nil {
			t.Fatal(err)
		}
		// Direct: encode with sym, forward, softmax, untransform.
		in := make([]float32, nets.NumPlanesV1*81)
		nets.EncodeState(&st, nets.Symmetry(sym), in)
		logits := make([]float32, 82)
		val := make([]float32, 1)
		if err := be.Forward(context.Background(), in, 1, logits, val); err != nil {
			t.Fatal(err)
		}
		probs := make([]float32, 82)
		Softmax(logits, probs)
		want := make([]float32, 82)
		nets.Symmetry(sym).UntransformPolicy(probs, want, 9)
		for i := range want {
			if math.Abs(float64(want[i]-priors[i])) > 1e-6 {
				t.Fatalf("sym %d: prior %d = %v; want %v", sym, i, priors[i], want[i])
			}
		}
		if math.Abs(float64(v-val[0])) > 1e-6 {
			t.Fatalf("sym %d: value %v; want %v", sym, v, val[0])
		}
	}
}

func TestSearchWithNetwork(t *testing.T) {
	w := smallNet(t, 9)
	be, err := cpu.New(w, cpu.Options{MaxBatch: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	b := startBatcher(t, be)
	e, _ := New(b, -1, 3)
	cfg := mcts.DefaultConfig()
	cfg.Threads = 4
	s, err := mcts.NewSearcher(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := board.NewGame(9, 7.5, board.DefaultRules())
	s.SetGame(g)
	res, err := s.Search(context.Background(), mcts.Options{Limits: mcts.Limits{Playouts: 200}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Playouts != 200 || res.Best == 0 && len(res.Moves) == 0 {
		t.Fatalf("result %+v", res)
	}
	// Most playouts reach the network; transpositions hit the cache and
	// terminal positions need no evaluation, so fewer than 200 arrive.
	if st := b.Stats(); st.Positions < 100 {
		t.Fatalf("batcher saw %d positions", st.Positions)
	}
	// A wrong board size is an error, not a panic.
	g13, _ := board.NewGame(13, 7.5, board.DefaultRules())
	st := g13.State()
	if _, err := e.Evaluate(context.Background(), &st, make([]float32, 170)); err == nil {
		t.Fatal("13x13 position accepted by a 9x9 network")
	}
}

func TestCacheKeyDistinguishes(t *testing.T) {
	g, _ := board.NewGame(9, 7.5, board.DefaultRules())
	pt, _ := board.ParseGTP("E5", 9)
	g.Play(board.Black, pt)
	a := g.State()
	b := a
	b.Komi = 6.5
	c := a
	c.ToMove = board.Black
	keys := map[uint64]bool{CacheKey(&a, 0): true, CacheKey(&b, 0): true, CacheKey(&c, 0): true, CacheKey(&a, 1): true}
	if len(keys) != 4 {
		t.Fatal("cache keys collide for different inputs")
	}
}

// TestEstimatesFromHeads: with ownership and score heads, the worker's
// estimate is the heads' output with the ownership mapped back from each
// symmetry's frame (checked through the policy's own untransform), and
// a network without heads gives no estimate.
func TestEstimatesFromHeads(t *testing.T) {
	w := smallNet(t, 9)
	spec := w.Spec
	spec.Value = nets.ValueHead{Kind: nets.ValuePool, Filters: 4, Hidden: 8}
	spec.Ownership = nets.OwnershipHead{Filters: 4}
	spec.Score = nets.ScoreHead{Hidden: 8}
	hw, err := nets.NewWeights(spec, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	be, err := netstest.NewNaive(hw)
	if err != nil {
		t.Fatal(err)
	}
	b := startBatcher(t, be)
	g, _ := board.NewGame(9, 7.5, board.DefaultRules())
	for _, v := range []string{"E5", "C3", "G7", "D4"} {
		pt, _ := board.ParseGTP(v, 9)
		g.Play(g.ToMove(), pt)
	}
	st := g.State()
	for sym := range nets.NumSymmetries {
		e, err := New(b, sym, 1)
		if err != nil {
			t.Fatal(err)
		}
		ev, release := e.Worker()
		ee := ev.(mcts.EstimateEvaluator)
		est := mcts.Estimate{Ownership: make([]float32, 81)}
		if _, err := ee.EvaluateEstimate(context.Background(), &st, make([]float32, 82), nil, &est); err != nil {
			t.Fatal(err)
		}
		release()
		shape, _ := spec.InputShape()
		in := make([]float32, shape.Len())
		fs, _ := nets.FeatureSetByName(spec.Features)
		fs.EncodeState(&st, nets.Symmetry(sym), in)
		out := nets.Outputs{Policy: make([]float32, 82), Value: make([]float32, 1), Ownership: make([]float32, 82), Score: make([]float32, 1)}
		if err := nets.ForwardOutputs(context.Background(), be, in, 1, out); err != nil {
			t.Fatal(err)
		}
		want := make([]float32, 82)
		nets.Symmetry(sym).UntransformPolicy(out.Ownership, want, 9) // the last entry stands in for pass
		if !est.HasScore || math.Abs(float64(est.Score-out.Score[0])) > 1e-4 {
			t.Errorf("symmetry %d: score %v (has %v), want %v", sym, est.Score, est.HasScore, out.Score[0])
		}
		for i := range 81 {
			if math.Abs(float64(est.Ownership[i]-want[i])) > 1e-4 {
				t.Fatalf("symmetry %d: ownership of point %d is %v, want %v", sym, i, est.Ownership[i], want[i])
			}
		}
	}
	// Without heads: no estimate.
	e, err := New(startBatcher(t, mustNaive(t, w)), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	ev, release := e.Worker()
	defer release()
	est := mcts.Estimate{Ownership: make([]float32, 81), HasScore: true}
	if _, err := ev.(mcts.EstimateEvaluator).EvaluateEstimate(context.Background(), &st, make([]float32, 82), nil, &est); err != nil {
		t.Fatal(err)
	}
	if est.HasScore || est.Ownership != nil {
		t.Errorf("a network without heads gave an estimate: %+v", est)
	}
}

func mustNaive(t *testing.T, w *nets.Weights) nets.Backend {
	be, err := netstest.NewNaive(w)
	if err != nil {
		t.Fatal(err)
	}
	return be
}

// TestFeaturePlayouts: with SetFeaturePlayouts a v3 network evaluates
// the planes of that many playouts (its value equals a direct forward pass
// on them, and differs from the default's); a network without playout
// planes refuses a count.
func TestFeaturePlayouts(t *testing.T) {
	w := smallNet(t, 9)
	w.Spec.Features = nets.FeaturesV3
	w, err := nets.NewWeights(w.Spec, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	be, err := netstest.NewNaive(w)
	if err != nil {
		t.Fatal(err)
	}
	b := startBatcher(t, be)
	g, _ := board.NewGame(9, 7, board.DefaultRules())
	for _, v := range []string{"E5", "C3", "G7", "D4", "F3"} {
		pt, _ := board.ParseGTP(v, 9)
		g.Play(g.ToMove(), pt)
	}
	st := g.State()
	direct := func(playouts int) float32 {
		fs, err := nets.MustFeatureSet(nets.FeaturesV3).WithPlayouts(playouts)
		if err != nil {
			t.Fatal(err)
		}
		in := make([]float32, nets.NumPlanesV3*81)
		fs.EncodeState(&st, 0, in)
		logits, val := make([]float32, 82), make([]float32, 1)
		if err := be.Forward(context.Background(), in, 1, logits, val); err != nil {
			t.Fatal(err)
		}
		return val[0]
	}
	e, err := New(b, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetFeaturePlayouts(2); err != nil {
		t.Fatal(err)
	}
	v, err := e.Evaluate(context.Background(), &st, make([]float32, 82))
	if err != nil {
		t.Fatal(err)
	}
	if want := direct(2); math.Abs(float64(v-want)) > 1e-6 {
		t.Errorf("2 playouts: value %v; a direct forward pass on 2 playouts' planes gives %v", v, want)
	}
	if v == direct(0) {
		t.Errorf("2 playouts: value %v equals the %d-playout value", v, nets.PlayoutsV3)
	}
	v1, err := New(startBatcher(t, mustNaive(t, smallNet(t, 9))), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := v1.SetFeaturePlayouts(8); err == nil {
		t.Error("a network without playout planes accepted 8 feature playouts")
	}
}

// TestApplyFeaturePlayouts: ApplyFeaturePlayouts sets the count of a v3
// network, leaves a network without playout planes alone, and refuses a
// count outside 0..1024 for either.
func TestApplyFeaturePlayouts(t *testing.T) {
	v1 := smallNet(t, 9)
	spec3 := v1.Spec
	spec3.Features = nets.FeaturesV3
	v3, err := nets.NewWeights(spec3, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		w       *nets.Weights
		n, want int
		wantErr bool
	}{
		{v3, 8, 8, false}, {v3, 0, nets.PlayoutsV3, false}, {v3, 1025, 0, true},
		{v1, 8, 0, false}, {v1, 0, 0, false}, {v1, -1, 0, true},
	} {
		e, err := New(startBatcher(t, mustNaive(t, tc.w)), -1, 1)
		if err != nil {
			t.Fatal(err)
		}
		err = e.ApplyFeaturePlayouts(tc.n)
		switch {
		case tc.wantErr && err == nil:
			t.Errorf("%s, %d playouts: accepted; want an error", tc.w.Spec.Features, tc.n)
		case !tc.wantErr && err != nil:
			t.Errorf("%s, %d playouts: %v", tc.w.Spec.Features, tc.n, err)
		case !tc.wantErr && e.FeaturePlayouts() != tc.want:
			t.Errorf("%s, %d playouts: the evaluator reads %d; want %d", tc.w.Spec.Features, tc.n, e.FeaturePlayouts(), tc.want)
		}
	}
}
