package selfplay

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/mcts"
)

func TestPlayGameDeterministic(t *testing.T) {
	cfg := fastGameConfig(7)
	cfg.FastVisits, cfg.FullShare = 3, 0.5
	a, b := playoutGame(t, 11, cfg), playoutGame(t, 11, cfg)
	a.Time, b.Time = "", ""
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two games with seed 11 differ")
	}
	c := playoutGame(t, 12, cfg)
	if reflect.DeepEqual(a.Moves, c.Moves) {
		t.Fatal("seeds 11 and 12 played the same game")
	}
}

func TestPlayGameRecord(t *testing.T) {
	cfg := fastGameConfig(7)
	cfg.FastVisits, cfg.FullShare = 2, 0.4
	full, fast := 0, 0
	for seed := uint64(1); seed <= 3; seed++ {
		r := playoutGame(t, seed, cfg)
		g, err := r.Replay(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Resigned && !g.Over() && len(r.Moves) < 2*7*7 {
			t.Errorf("game %d ended after %d moves without two passes, resignation or the cap", seed, len(r.Moves))
		}
		for i, m := range r.Moves {
			total := 0
			for _, v := range m.Dist {
				total += int(v.Visits)
			}
			want := cfg.Visits
			if m.Full {
				full++
			} else {
				fast++
				want = cfg.FastVisits
			}
			// The root's own first visit is not a child's.
			if m.Visits < want || total < m.Visits-1 || total > m.Visits {
				t.Errorf("game %d move %d (full %v): %d root visits, children %d; want >= %d", seed, i+1, m.Full, m.Visits, total, want)
			}
			played := false
			for _, v := range m.Dist {
				if int(v.Index) == moveIndex(m.Point, 7) {
					played = true
				}
			}
			if !played {
				t.Errorf("game %d move %d: the move played has no visits", seed, i+1)
			}
		}
	}
	if full == 0 || fast == 0 {
		t.Errorf("playout cap: %d full and %d fast searches; want both", full, fast)
	}
}

// TestResignation: White's evaluator says White is lost. With resignation
// on White resigns; with it disabled the game is played out and the rule's
// firing recorded, a false positive if White then does not lose.
func TestResignation(t *testing.T) {
	ev, cfg := whiteIsLost()
	cfg.ResignOffShare = 0
	r, err := PlayGame(context.Background(), ev, 5, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	// White plays moves 2, 4, 6: its searches from move 3 on are at
	// moves 4 and 6, and the resignation replaces move 6.
	if !r.Resigned || r.Winner != board.Black || r.Result != "B+R" || len(r.Moves) != 5 || r.NoResign {
		t.Fatalf("resigned %v winner %v result %q after %d moves; want B+R after 5", r.Resigned, r.Winner, r.Result, len(r.Moves))
	}
	cfg.ResignOffShare = 1
	r, err = PlayGame(context.Background(), ev, 5, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r.Resigned || !r.NoResign || r.WouldResign != [2]int{0, 6} || len(r.Moves) < 6 {
		t.Fatalf("no-resign game: resigned %v, no_resign %v, would resign %v after %d moves; want false, true, [0 6]", r.Resigned, r.NoResign, r.WouldResign, len(r.Moves))
	}
	would, fp := r.ResignCheck()
	if !would || fp != (r.Winner != board.Black) {
		t.Errorf("ResignCheck = %v, %v with winner %v", would, fp, r.Winner)
	}
	var st Stats
	st.Add(r)
	if st.NoResign != 1 || st.WouldResign != 1 || st.FalsePositiveRate() != map[bool]float64{true: 1, false: 0}[fp] {
		t.Errorf("stats %+v", st)
	}
}

// TestDecidedVisits: in a game played out, the searches after the
// resignation rule has fired are fast ones of DecidedVisits visits (not
// training positions), the moves up to there are the game without the
// setting, and the game is not resigned.
func TestDecidedVisits(t *testing.T) {
	ev, cfg := whiteIsLost()
	cfg.Visits = 16
	cfg.ResignOffShare = 1
	plain, err := PlayGame(context.Background(), ev, 5, cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DecidedVisits = 2
	r, err := PlayGame(context.Background(), ev, 5, cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r.WouldResign != [2]int{0, 6} || plain.WouldResign != r.WouldResign {
		t.Fatalf("would resign %v and %v; want [0 6]", r.WouldResign, plain.WouldResign)
	}
	fired := r.WouldResign[1]
	if len(r.Moves) <= fired {
		t.Fatalf("the game ended after %d moves, at the firing", len(r.Moves))
	}
	for i, m := range r.Moves {
		if i < fired {
			p := plain.Moves[i]
			if m.Point != p.Point || !m.Full || m.Visits != p.Visits {
				t.Fatalf("move %d before the firing differs: %+v vs %+v", i+1, m, p)
			}
			continue
		}
		// The first decided search may start from a reused subtree with
		// more visits than DecidedVisits, never from a full search's.
		if m.Full || m.Visits >= cfg.Visits || i > fired && m.Visits != cfg.DecidedVisits {
			t.Fatalf("move %d after the firing: full %v, %d visits; want a fast search of %d", i+1, m.Full, m.Visits, cfg.DecidedVisits)
		}
	}
	if r.Positions() != fired {
		t.Errorf("%d training positions; want the %d before the firing", r.Positions(), fired)
	}
	if r.Resigned {
		t.Errorf("the game played out was resigned")
	}
}

func TestPlayGameCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := PlayGame(ctx, mcts.NewPlayoutEvaluator(1, 1), 7, fastGameConfig(7), 1)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("PlayGame with a cancelled context: %v", err)
	}
}

func TestGameConfigValidate(t *testing.T) {
	good := DefaultGameConfig(9)
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, mod := range []func(*GameConfig){
		func(c *GameConfig) { c.Visits = 0 },
		func(c *GameConfig) { c.FastVisits = c.Visits + 1 },
		func(c *GameConfig) { c.FastVisits, c.FullShare = 1, 0 },
		func(c *GameConfig) { c.ResignThreshold = 1 },
		func(c *GameConfig) { c.ResignOffShare = 2 },
		func(c *GameConfig) { c.DecidedVisits = -1 },
		func(c *GameConfig) { c.DecidedVisits = c.Visits + 1 },
		func(c *GameConfig) { c.Rules = "klingon" },
		func(c *GameConfig) { c.NoiseEpsilon = 2 },
	} {
		c := good
		mod(&c)
		if c.Validate() == nil {
			t.Errorf("Validate accepted %+v", c)
		}
	}
}

// TestTemperatureNoRandomPass: in the temperature moves a pass is played
// only when the search prefers it. The evaluator favours passing a little
// (prior) but values every position the same, so passes get visits
// without being the most visited.
func TestTemperatureNoRandomPass(t *testing.T) {
	cfg := fastGameConfig(5)
	cfg.TempMoves, cfg.Visits, cfg.MaxMoves = 20, 12, 20
	cfg.ResignThreshold = 0
	passy := passEval{}
	for seed := uint64(1); seed <= 20; seed++ {
		r, err := PlayGame(context.Background(), passy, 5, cfg, seed)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range r.Moves {
			if m.Point != board.Pass {
				continue
			}
			most, pass := 0, 0
			for _, v := range m.Dist {
				most = max(most, int(v.Visits))
				if int(v.Index) == 25 {
					pass = int(v.Visits)
				}
			}
			if pass < most {
				t.Fatalf("seed %d move %d: pass played with %d visits, the best move had %d", seed, i+1, pass, most)
			}
		}
	}
}

// passEval gives pass a large prior and every position value 0.
type passEval struct{}

func (passEval) Evaluate(ctx context.Context, s *board.State, priors []float32) (float32, error) {
	for i := range priors {
		priors[i] = 1
	}
	priors[len(priors)-1] = 6
	return 0, ctx.Err()
}

// TestPassyEvaluatorPlaysOut: an evaluator that wants to pass, with
// one-visit and two-visit searches (issue 12: a one-visit search passed
// every move), plays the game out: no pass while the position is open,
// every move recorded with a distribution.
func TestPassyEvaluatorPlaysOut(t *testing.T) {
	for _, visits := range []int{1, 2} {
		cfg := fastGameConfig(5)
		cfg.Visits, cfg.FastVisits, cfg.TempMoves, cfg.ResignThreshold = visits, 1, 0, 0
		r, err := PlayGame(context.Background(), passEval{}, 5, cfg, 3)
		if err != nil {
			t.Fatalf("visits %d: %v", visits, err)
		}
		g, _ := board.NewGame(5, cfg.Komi, board.DefaultRules())
		for i, m := range r.Moves {
			if len(m.Dist) == 0 {
				t.Fatalf("visits %d move %d: no distribution", visits, i+1)
			}
			if m.Point == board.Pass {
				pos := g.Position()
				for _, q := range pos.MovesBeforePass(m.Color, g.Komi(), nil) {
					if g.Legal(m.Color, q) {
						t.Fatalf("visits %d move %d: %v passed while %s was open\n%s", visits, i+1, m.Color, q.GTP(5), pos)
					}
				}
			}
			if err := g.Play(m.Color, m.Point); err != nil {
				t.Fatal(err)
			}
		}
		if len(r.Moves) < 5 {
			t.Fatalf("visits %d: the game ended after %d moves", visits, len(r.Moves))
		}
	}
}

// TestLeafEvaluators: self-play with each evaluator plays a legal game;
// hybrid and playouts search with RAVE and answer for the playouts.
func TestLeafEvaluators(t *testing.T) {
	net := uniformEval{value: func(*board.State) float32 { return 0 }}
	for _, kind := range []string{"", "net", "hybrid", "playouts"} {
		cfg := fastGameConfig(7)
		cfg.Evaluator, cfg.Lambda = kind, 1
		cfg.ResignThreshold = 0
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		ev := cfg.LeafEvaluator(net, 5)
		_, isNet := ev.(uniformEval)
		if isNet != (kind == "" || kind == "net") {
			t.Errorf("%q: evaluator %T", kind, ev)
		}
		if rave := cfg.searcherConfig(7, 1, true).RAVEEquiv > 0; rave != (kind == "hybrid" || kind == "playouts") {
			t.Errorf("%q: RAVE %v", kind, rave)
		}
		r, err := PlayGame(context.Background(), ev, 7, cfg, 5)
		if err != nil {
			t.Fatalf("%q: %v", kind, err)
		}
		if len(r.Moves) < 10 {
			t.Errorf("%q: %d moves", kind, len(r.Moves))
		}
	}
	bad := fastGameConfig(7)
	bad.Evaluator = "oracle"
	if bad.Validate() == nil {
		t.Error("evaluator oracle accepted")
	}
	bad.Evaluator, bad.ExpandAt = "net", 15
	if bad.Validate() == nil {
		t.Error("an expansion threshold accepted for the net evaluator")
	}
}

// TestHybridExpandAt: with an expansion threshold the hybrid asks the
// network only at nodes with that many visits (the root at once), so a
// game makes far fewer network evaluations than visits, and still plays
// a legal game.
func TestHybridExpandAt(t *testing.T) {
	for _, expandAt := range []int{0, 8} {
		var calls atomic.Int64
		net := countingEval{uniformEval: uniformEval{value: func(*board.State) float32 { return 0 }}, calls: &calls}
		cfg := fastGameConfig(7)
		cfg.Evaluator, cfg.Lambda, cfg.ExpandAt = "hybrid", 0.5, expandAt
		cfg.ResignThreshold = 0
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		ev := cfg.LeafEvaluator(net, 5)
		r, err := PlayGame(context.Background(), ev, 7, cfg, 5)
		if err != nil {
			t.Fatalf("expand at %d: %v", expandAt, err)
		}
		visits := 0
		for _, m := range r.Moves {
			for _, d := range m.Dist {
				visits += int(d.Visits)
			}
		}
		n := calls.Load()
		t.Logf("expand at %d: %d moves, %d recorded visits, %d network evaluations", expandAt, len(r.Moves), visits, n)
		switch {
		case len(r.Moves) < 10:
			t.Errorf("expand at %d: %d moves", expandAt, len(r.Moves))
		case expandAt == 0 && n < int64(visits)/2:
			t.Errorf("expand at 0: %d network evaluations for %d visits; want one a leaf", n, visits)
		case expandAt > 0 && n*3 > int64(visits):
			t.Errorf("expand at %d: %d network evaluations for %d visits; want about one per %d", expandAt, n, visits, expandAt)
		}
	}
}

// TestForcedPlayoutsGame: with forced playouts the full searches record
// the pruned distribution (fewer visits than the root's, no single-visit
// move but the first), the fast ones the raw counts; gating games, which
// stand for play, are the same with the setting as without.
func TestForcedPlayoutsGame(t *testing.T) {
	cfg := fastGameConfig(7)
	cfg.Visits, cfg.FastVisits, cfg.FullShare = 48, 4, 0.5
	cfg.ForcedPlayouts = 2
	pruned := 0
	for seed := uint64(1); seed <= 2; seed++ {
		r := playoutGame(t, seed, cfg)
		for i, m := range r.Moves {
			total := 0
			for j, v := range m.Dist {
				total += int(v.Visits)
				if m.Full && j > 0 && v.Visits <= 1 {
					t.Errorf("game %d move %d: the target keeps a move with %d visits", seed, i+1, v.Visits)
				}
			}
			switch {
			case !m.Full && (total < m.Visits-1 || total > m.Visits):
				t.Errorf("game %d move %d (fast): %d visits recorded of %d; want the raw counts", seed, i+1, total, m.Visits)
			case m.Full && total > m.Visits:
				t.Errorf("game %d move %d: %d visits recorded of %d", seed, i+1, total, m.Visits)
			case m.Full && total < m.Visits-1:
				pruned++
			}
		}
	}
	if pruned == 0 {
		t.Error("forced playouts: no full search had visits pruned from its target")
	}

	play := func(k float64) *Record {
		c := cfg
		c.ForcedPlayouts = k
		evs := [2]mcts.Evaluator{mcts.NewPlayoutEvaluator(1, 5), mcts.NewPlayoutEvaluator(1, 6)}
		r, err := playGame(context.Background(), evs, 7, c, 5, false)
		if err != nil {
			t.Fatal(err)
		}
		r.Time = ""
		return r
	}
	if a, b := play(0), play(2); !reflect.DeepEqual(a, b) {
		t.Error("a gating game changed with forced playouts set")
	}
	cfg.ForcedPlayouts = -1
	if cfg.Validate() == nil {
		t.Error("forced playouts -1 validated")
	}
}

// TestGameKomi checks KataGo-style varied komi: the share of games that
// vary, half-point steps, a mean at --komi and the spread asked for; with
// no spread the random stream is untouched; each game's record and replay
// carry its own komi, and gating games keep the configured one.
func TestGameKomi(t *testing.T) {
	cfg := fastGameConfig(7)
	cfg.Komi, cfg.KomiStdev, cfg.KomiShare = 7, 2, 0.5
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 4000
	varied, sum, sq := 0, 0.0, 0.0
	for range n {
		k := cfg.gameKomi(rng)
		if k != math.Round(2*k)/2 {
			t.Fatalf("komi %v is not a multiple of a half point", k)
		}
		if k != cfg.Komi {
			varied++
		}
		d := k - cfg.Komi
		sum += d
		sq += d * d
	}
	// About 0.5*(1-P(|N(0,2)| < 0.25)) of the games differ from 7: 0.45.
	if share := float64(varied) / n; share < 0.40 || share > 0.50 {
		t.Errorf("%.3f of the games varied the komi, want about 0.45", share)
	}
	if mean := sum / n; math.Abs(mean) > 0.15 {
		t.Errorf("mean komi offset %.3f, want about 0", mean)
	}
	// Var = share * (stdev^2 + 1/48 of rounding): about 2.0.
	if v := sq / n; v < 1.7 || v > 2.3 {
		t.Errorf("komi variance %.3f, want about 2.0", v)
	}

	off := cfg
	off.KomiStdev = 0
	a, b := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	if k := off.gameKomi(a); k != 7 {
		t.Errorf("komi %v without a spread, want 7", k)
	}
	if a.Uint64() != b.Uint64() {
		t.Error("gameKomi drew from the random stream without a spread")
	}

	cfg.KomiShare = 1
	seen := map[float64]bool{}
	for seed := uint64(1); seed <= 4; seed++ {
		r := playoutGame(t, seed, cfg)
		seen[r.Komi] = true
		g, err := r.Replay(nil)
		if err != nil {
			t.Fatal(err)
		}
		if g.Komi() != r.Komi {
			t.Errorf("replayed komi %v, record %v", g.Komi(), r.Komi)
		}
		if !r.Resigned && g.Score() != r.Score {
			t.Errorf("game %d: score %v, record %v", seed, g.Score(), r.Score)
		}
	}
	if len(seen) < 2 {
		t.Errorf("4 games with komi spread 2 all had komi %v", seen)
	}
	gr, err := playGame(context.Background(), [2]mcts.Evaluator{mcts.NewPlayoutEvaluator(1, 1), mcts.NewPlayoutEvaluator(1, 2)}, 7, cfg, 5, false)
	if err != nil {
		t.Fatal(err)
	}
	if gr.Komi != 7 {
		t.Errorf("gating game komi %v, want 7", gr.Komi)
	}

	bad := cfg
	bad.KomiStdev = -1
	if bad.Validate() == nil {
		t.Error("negative komi spread accepted")
	}
	bad = cfg
	bad.KomiShare = 1.5
	if bad.Validate() == nil {
		t.Error("komi share 1.5 accepted")
	}
}
