package selfplay

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/mcts"
	"github.com/tengen-go/tengen/nets"
)

// tinySpec is a 2-layer, 8-filter network: fast enough for tests.
func tinySpec(size int) nets.Spec {
	return nets.Spec{
		Name: "tiny", BoardSize: size, Features: nets.FeaturesV1,
		Trunk: []nets.Layer{
			{Kind: nets.KindConv, Filters: 8, Kernel: 3}, {Kind: nets.KindReLU},
			{Kind: nets.KindConv, Filters: 8, Kernel: 3}, {Kind: nets.KindReLU},
		},
		Policy: nets.PolicyHead{Kind: "conv", Filters: 2},
		Value:  nets.ValueHead{Filters: 1, Hidden: 8},
	}
}

// tinyWeights writes a random tiny network and returns its path.
func tinyWeights(t testing.TB, dir string, size int, seed uint64) string {
	t.Helper()
	w, err := nets.NewWeights(tinySpec(size), rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	// Provenance as a supervised start network has it; a self-play
	// candidate must not inherit it (TestTrainCandidate).
	w.Meta = map[string]string{"train.data": "supervised.tar.gz", "train.validation": "25 games, seed 1", "train.schedule": "step lr=0.02"}
	path := filepath.Join(dir, "tiny.weights")
	if err := nets.Save(path, w); err != nil {
		t.Fatal(err)
	}
	return path
}

// newTinyDir returns a self-play directory initialised with a random tiny
// network.
func newTinyDir(t testing.TB, size int) Dir {
	t.Helper()
	d := Dir(filepath.Join(t.TempDir(), "run"))
	if _, created, err := d.Init(tinyWeights(t, t.TempDir(), size, 7)); err != nil || !created {
		t.Fatalf("Init: created %v, %v", created, err)
	}
	return d
}

// fastGameConfig is a game config with few visits.
func fastGameConfig(size int) GameConfig {
	c := DefaultGameConfig(size)
	c.Visits = 8
	c.TempMoves = 4
	return c
}

// whiteIsLost is an evaluator whose value says White is lost (Black
// won) and a 5x5 game config whose resignation rule (below 10% for 2
// searches from move 3) then fires for White at move 6.
func whiteIsLost() (uniformEval, GameConfig) {
	ev := uniformEval{value: func(s *board.State) float32 {
		if s.ToMove == board.White {
			return -0.99
		}
		return 0.99
	}}
	cfg := fastGameConfig(5)
	cfg.ResignThreshold, cfg.ResignMoves, cfg.ResignMinMove = 0.1, 2, 3
	return ev, cfg
}

// uniformEval has uniform priors and a value chosen by a function.
type uniformEval struct {
	value func(s *board.State) float32
}

func (e uniformEval) Evaluate(ctx context.Context, s *board.State, priors []float32) (float32, error) {
	for i := range priors {
		priors[i] = 1
	}
	if e.value == nil {
		return 0, ctx.Err()
	}
	return e.value(s), ctx.Err()
}

var _ mcts.Evaluator = uniformEval{}

// playoutGame plays a quick 7x7 game with the playout evaluator.
func playoutGame(t testing.TB, seed uint64, cfg GameConfig) *Record {
	t.Helper()
	r, err := PlayGame(context.Background(), mcts.NewPlayoutEvaluator(1, seed), 7, cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	r.ID, r.Network, r.NetworkID = "game-"+string(rune('a'+seed%26)), "gen-000000", "0123456789ab"
	return r
}

// countingEval is uniformEval counting its evaluations.
type countingEval struct {
	uniformEval
	calls *atomic.Int64
}

func (e countingEval) Evaluate(ctx context.Context, s *board.State, priors []float32) (float32, error) {
	e.calls.Add(1)
	return e.uniformEval.Evaluate(ctx, s, priors)
}
