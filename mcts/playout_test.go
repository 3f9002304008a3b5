package mcts

import (
	"context"
	"math"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/rollout"
)

func TestScoreValue(t *testing.T) {
	for _, tc := range []struct {
		score, w, want float64
	}{
		{3, 0, 1}, {-0.5, 0, -1}, {0, 0, 0},
		{0, 0.1, 0},
		{1e9, 0.1, 1}, {-1e9, 0.1, -1},
		{3.6, 0.1, 0.9 + 0.1*0.5}, // atan(1) = pi/4
	} {
		if got := scoreValue(tc.score, 3.6, tc.w); math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("scoreValue(%v, 3.6, %v) = %v; want %v", tc.score, tc.w, got, tc.want)
		}
	}
}

// blackBoard is a 5x5 board where Black owns every point.
func blackBoard(t *testing.T) *board.Position {
	t.Helper()
	pos, err := board.ParseDiagram(`
		. X . X .
		X X X X X
		. X . X .
		X X X X X
		. X . X .`)
	if err != nil {
		t.Fatal(err)
	}
	return pos
}

// TestPlayoutEvaluatorSeesWinner: on a 5x5 board where Black owns
// everything but a point, the value is near +1 for Black to move and
// near -1 for White, heavy and light, and the playout's moves are
// recorded for RAVE.
func TestPlayoutEvaluatorSeesWinner(t *testing.T) {
	pos := blackBoard(t)
	for _, pol := range []rollout.Policy{rollout.DefaultPolicy(), rollout.LightPolicy()} {
		e := NewPlayoutEvaluator(8, 1)
		e.Policy = pol
		for _, c := range []board.Color{board.Black, board.White} {
			st := board.State{Pos: *pos, ToMove: c, Komi: 0.5}
			priors := make([]float32, 26)
			var moves []board.Move
			v, err := e.EvaluateAMAF(context.Background(), &st, priors, &moves)
			if err != nil {
				t.Fatal(err)
			}
			want := float32(0.9)
			if c == board.White {
				want = -0.9
			}
			if math.Abs(float64(v-want)) > 0.1 {
				t.Errorf("%s, %v to move: value %v; want about %v", pol.Name(), c, v, want)
			}
			if st.Pos.Hash() != pos.Hash() {
				t.Fatal("the evaluator changed the state's position")
			}
			if len(moves) == 0 {
				t.Errorf("%s: no playout moves recorded", pol.Name())
			}
		}
	}
}

// TestMixedEvaluatorLambda: lambda 0 is the network, 1 the playouts, and
// the network's priors pass through either way.
func TestMixedEvaluatorLambda(t *testing.T) {
	pos := blackBoard(t)
	net := &fixedEval{priors: map[int]float32{2: 7}, value: func(*board.State) float32 { return -0.5 }}
	st := board.State{Pos: *pos, ToMove: board.Black, Komi: 0.5}
	for _, tc := range []struct{ lambda, lo, hi float64 }{{0, -0.51, -0.49}, {1, 0.8, 1}, {0.5, 0.15, 0.26}} {
		m := &MixedEvaluator{Net: net, Playouts: NewPlayoutEvaluator(8, 2), Lambda: tc.lambda}
		for _, ev := range []Evaluator{m, func() Evaluator { w, _ := m.Worker(); return w }()} {
			priors := make([]float32, 26)
			v, err := ev.Evaluate(context.Background(), &st, priors)
			if err != nil {
				t.Fatal(err)
			}
			if float64(v) < tc.lo || float64(v) > tc.hi || priors[2] != 7 {
				t.Errorf("lambda %v: value %v (want %v..%v), prior %v", tc.lambda, v, tc.lo, tc.hi, priors[2])
			}
		}
	}
}

// TestHeavyBeatsLight is a quick match in CI: heavy playouts with RAVE
// and knowledge priors against light playouts with uniform priors and no
// RAVE, at equal playouts per move on 7x7, colours alternating, the first
// two moves random; games are played to two passes and scored by area.
func TestHeavyBeatsLight(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a match: too slow under -short or -race")
	}
	const games, playouts = 8, 400
	wins := 0
	for game := range games {
		heavy := NewPlayoutEvaluator(1, uint64(100+game))
		light := NewPlayoutEvaluator(1, uint64(200+game))
		light.Policy, light.Uniform, light.ScoreWeight = rollout.LightPolicy(), true, 0
		hc, lc := DefaultConfig(), DefaultConfig()
		hc.RAVEEquiv = 1000
		hs, ls := mustSearcher(t, heavy, hc), mustSearcher(t, light, lc)
		heavyColor := board.Black
		if game%2 == 1 {
			heavyColor = board.White
		}
		g, err := board.NewGame(7, 9, board.DefaultRules())
		if err != nil {
			t.Fatal(err)
		}
		rng := uint64(game*7 + 3)
		for g.MoveNumber() < 2 { // a random opening
			legal := g.LegalMoves(g.ToMove(), nil)
			rng = rng*6364136223846793005 + 1442695040888963407
			if err := g.Play(g.ToMove(), legal[int(rng>>33)%len(legal)]); err != nil {
				t.Fatal(err)
			}
		}
		for !g.Over() && g.MoveNumber() < 150 {
			s := ls
			if g.ToMove() == heavyColor {
				s = hs
			}
			s.SetGame(g)
			res, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: playouts}})
			if err != nil {
				t.Fatal(err)
			}
			if err := g.Play(g.ToMove(), res.Best); err != nil {
				t.Fatal(err)
			}
		}
		score := g.Score()
		if heavyColor == board.White {
			score = -score
		}
		if score > 0 {
			wins++
		}
	}
	t.Logf("heavy won %d of %d", wins, games)
	if wins < 6 {
		t.Errorf("heavy playouts with RAVE won %d of %d games against light ones; want at least 6", wins, games)
	}
}
