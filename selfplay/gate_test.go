package selfplay

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/nets"
)

// results makes gating games from scores, game i with scores[i].
func results(scores ...float64) []GateGame {
	out := make([]GateGame, len(scores))
	for i, s := range scores {
		out[i] = GateGame{Index: i, Score: s}
	}
	return out
}

func repeat(s float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestDecideFixed(t *testing.T) {
	c := GateConfig{Games: 10, Threshold: 0.55}
	tests := []struct {
		name    string
		games   []GateGame
		decided bool
		promote bool
		at      int
	}{
		{"none", nil, false, false, 0},
		{"early win", results(repeat(1, 6)...), true, true, 6},   // 6 >= 5.5
		{"early loss", results(repeat(0, 5)...), true, false, 5}, // 0 + 5 < 5.5
		{"undecided", results(1, 0, 1, 0), false, false, 4},
		{"all played, 5.5", results(1, 0, 1, 0, 1, 0, 1, 0, 1, 0.5), true, true, 10},
		{"all played, 5", results(1, 0, 1, 0, 1, 0, 1, 0, 0.5, 0.5), true, false, 10},
		// Game 2 missing: only the prefix 0, 1 counts.
		{"gap", []GateGame{{Index: 0, Score: 1}, {Index: 1, Score: 1}, {Index: 3, Score: 1}, {Index: 4, Score: 1}, {Index: 5, Score: 1}, {Index: 6, Score: 1}}, false, false, 2},
	}
	for _, tc := range tests {
		d := c.Decide(tc.games)
		if d.Decided != tc.decided || d.Promote != tc.promote || d.Games != tc.at {
			t.Errorf("%s: decided %v promote %v after %d games (%s); want %v %v %d", tc.name, d.Decided, d.Promote, d.Games, d.Reason, tc.decided, tc.promote, tc.at)
		}
	}
	// The decision is the first prefix that decides, whatever follows.
	d := c.Decide(results(append(repeat(1, 6), repeat(0, 4)...)...))
	if !d.Promote || d.Games != 6 {
		t.Errorf("6 wins then 4 losses: promote %v at %d; want true at 6", d.Promote, d.Games)
	}
}

func TestDecideSPRT(t *testing.T) {
	c := GateConfig{Games: 400, Threshold: 0.55, SPRT: true, Elo0: 0, Elo1: 35, Alpha: 0.05, Beta: 0.05}
	upper := math.Log(0.95 / 0.05)
	// Every game won: LLR grows by log(p1/p0) per game.
	step := math.Log(ScoreFromElo(35) / 0.5)
	need := int(math.Ceil(upper / step))
	d := c.Decide(results(repeat(1, need)...))
	if !d.Decided || !d.Promote || d.Games != need || !strings.Contains(d.Reason, "H1") {
		t.Fatalf("%d straight wins: %+v", need, d)
	}
	if d := c.Decide(results(repeat(1, need-1)...)); d.Decided {
		t.Fatalf("%d straight wins decided: %+v", need-1, d)
	}
	d = c.Decide(results(repeat(0, 40)...))
	if !d.Decided || d.Promote || !strings.Contains(d.Reason, "H0") {
		t.Fatalf("40 losses: %+v", d)
	}
	// Even results do not decide early; at the cap the 55% rule does.
	even := make([]float64, 400)
	for i := range even {
		even[i] = float64(i % 2)
	}
	if d := c.Decide(results(even[:100]...)); d.Decided {
		t.Fatalf("50%% over 100 games decided: %+v", d)
	}
	small := GateConfig{Games: 20, Threshold: 0.55, SPRT: true, Elo0: 0, Elo1: 35, Alpha: 0.05, Beta: 0.05}
	scores := append(repeat(1, 11), repeat(0, 9)...)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(scores), func(i, j int) { scores[i], scores[j] = scores[j], scores[i] })
	d = small.Decide(results(scores...))
	if !d.Decided || !d.Promote || d.Games != 20 || !strings.Contains(d.Reason, "score 11.0 of 20") {
		t.Fatalf("11 of 20 under SPRT with a 20-game cap: %+v", d)
	}
}

func TestElo(t *testing.T) {
	if e, lo, hi := Elo(5, 10); e != 0 || !(lo < 0 && hi > 0) || math.Abs(lo+hi) > 1e-9 {
		t.Errorf("Elo(5 of 10) = %v [%v, %v]", e, lo, hi)
	}
	if e, _, _ := Elo(3, 4); math.Abs(e-EloFromScore(0.75)) > 1e-9 || math.Abs(e-190.85) > 0.01 {
		t.Errorf("Elo(3 of 4) = %v; want 190.85", e)
	}
	e, lo, hi := Elo(10, 10)
	if math.IsInf(e, 0) || !(e > 400) || !(lo < e) || hi != e {
		t.Errorf("Elo(sweep) = %v [%v, %v]: want finite, the clamp", e, lo, hi)
	}
	if math.Abs(ScoreFromElo(EloFromScore(0.3))-0.3) > 1e-12 {
		t.Error("ScoreFromElo does not invert EloFromScore")
	}
}

// TestGate plays a short gating match between two tiny networks in
// process, then resumes it from its first games and gets the same
// decision.
func TestGate(t *testing.T) {
	mk := func(seed uint64) Contender {
		w, err := nets.NewWeights(tinySpec(7), rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return Contender{Name: NetworkName(int(seed)), ID: "id", Weights: w}
	}
	best, cand := mk(1), mk(2)
	cfg := DefaultGateConfig(7)
	cfg.Game.Visits, cfg.Game.MaxMoves = 6, 40
	cfg.Games, cfg.Parallel, cfg.SPRT, cfg.Threshold = 4, 2, false, 1.1/4 // two wins promote
	var seen []GateGame
	d, games, err := Gate(context.Background(), cfg, best, cand, nil, func(g GateGame, r *Record) error {
		seen = append(seen, g)
		if _, err := r.Replay(nil); err != nil {
			t.Error(err)
		}
		if g.Result != r.Result || (g.Index%2 == 0) != g.CandidateBlack {
			t.Errorf("game %+v, record result %s", g, r.Result)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Decided || d.Games > 4 || len(games) < d.Games || len(seen) != len(games) {
		t.Fatalf("decision %+v after %d games (%d reported)", d, len(games), len(seen))
	}
	if want := cfg.Decide(games); want != d {
		t.Fatalf("Gate's decision %+v; Decide over its games %+v", d, want)
	}
	// Resumed with the first game done: it is not replayed.
	d2, games2, err := Gate(context.Background(), cfg, best, cand, games[:1], func(g GateGame, r *Record) error {
		if g.Index == 0 {
			t.Error("game 0 replayed")
		}
		return nil
	})
	if err != nil || !d2.Decided || games2[0] != games[0] {
		t.Fatalf("resumed gating: %+v, %v", d2, err)
	}
	// Done games that already decide: nothing is played.
	d3, _, err := Gate(context.Background(), cfg, best, cand, games, func(GateGame, *Record) error {
		t.Error("a game played after the decision")
		return nil
	})
	if err != nil || d3 != d {
		t.Fatalf("gating with a decided history: %+v, %v", d3, err)
	}
}
