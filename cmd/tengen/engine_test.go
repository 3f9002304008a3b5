package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/mcts"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/cpu"
)

func TestUndecided(t *testing.T) {
	ms := func(v1 int, w1 float64, v2 int, w2 float64) mcts.Result {
		return mcts.Result{Moves: []mcts.MoveStat{{Visits: v1, Winrate: w1}, {Visits: v2, Winrate: w2}}}
	}
	for _, tc := range []struct {
		res  mcts.Result
		want bool
	}{
		{mcts.Result{}, false},
		{ms(100, 0.5, 60, 0.5), true},   // close in visits
		{ms(100, 0.5, 30, 0.55), true},  // fewer visits, clearly better
		{ms(100, 0.5, 30, 0.51), false}, // fewer visits, about the same
		{ms(100, 0.5, 10, 0.9), false},  // too few visits to trust
		{ms(1000, 0.6, 100, 0.55), false},
	} {
		if got := undecided(tc.res); got != tc.want {
			t.Errorf("undecided(%+v) = %v; want %v", tc.res.Moves, got, tc.want)
		}
	}
}

// TestStopEarly: a timed search stops when decided, except when its time
// is a byo-yomi budget whose rest would be lost.
func TestStopEarly(t *testing.T) {
	sec := time.Second
	for _, tc := range []struct {
		name string
		opts gtp.SearchOptions
		l    mcts.Limits
		want bool
	}{
		{"visits only", gtp.SearchOptions{}, mcts.Limits{Visits: 100}, false},
		{"default time, no clock", gtp.SearchOptions{}, mcts.Limits{Time: 2 * sec}, true},
		{"main time", gtp.SearchOptions{Budget: 3 * sec}, mcts.Limits{Time: 3 * sec}, true},
		{"byo-yomi", gtp.SearchOptions{Budget: 1500 * time.Millisecond, NoSaving: true}, mcts.Limits{Time: 1500 * time.Millisecond}, false},
		{"byo-yomi, --time below the budget", gtp.SearchOptions{Budget: 10 * sec, NoSaving: true}, mcts.Limits{Time: sec}, true},
	} {
		if got := stopEarly(tc.opts, tc.l); got != tc.want {
			t.Errorf("%s: stopEarly = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestDefaultMoveTime(t *testing.T) {
	for size, want := range map[int]time.Duration{5: time.Second, 9: time.Second, 14: 1500 * time.Millisecond, 19: 2 * time.Second, 25: 2 * time.Second} {
		if got := defaultMoveTime(size); got != want {
			t.Errorf("defaultMoveTime(%d) = %v; want %v", size, got, want)
		}
	}
}

// TestDefaultEvaluator: --evaluator auto searches with playouts where no
// network exists, the network at every leaf on small boards (9x9) and the
// hybrid on 19x19; a named evaluator stays, except without a network.
func TestDefaultEvaluator(t *testing.T) {
	for _, tc := range []struct {
		flag    string
		size    int
		haveNet bool
		want    string
	}{
		{"auto", 9, true, "net"},
		{"auto", 9, false, "playouts"},
		{"auto", 13, false, "playouts"},
		{"auto", 19, true, "hybrid"},
		{"auto", 19, false, "playouts"},
		{"", 9, true, "net"},
		{"playouts", 9, true, "playouts"},
		{"hybrid", 9, true, "hybrid"},
		{"net", 19, true, "net"},
		{"net", 19, false, "playouts"},
	} {
		c := engineConfig{evaluator: tc.flag}
		if got := c.evaluatorFor(tc.size, tc.haveNet); got != tc.want {
			t.Errorf("--evaluator %q, %dx%d, network %v: %s; want %s", tc.flag, tc.size, tc.size, tc.haveNet, got, tc.want)
		}
	}
}

// TestTimeBank: early stops save time that only undecided moves spend,
// a move takes at most 1+maxBankedMoves times the default, and the game
// never spends more than the default per move in all.
func TestTimeBank(t *testing.T) {
	hard := mcts.Result{Winrate: 0.5, Moves: []mcts.MoveStat{{Visits: 100, Winrate: 0.5}, {Visits: 80, Winrate: 0.5}}}
	easy := mcts.Result{Winrate: 0.5, Moves: []mcts.MoveStat{{Visits: 100, Winrate: 0.5}, {Visits: 10, Winrate: 0.5}}}
	b := &timeBank{per: time.Second}
	if got := b.extra(hard); got != 0 {
		t.Fatalf("empty bank: extra %v; want 0", got)
	}
	b.spend(400 * time.Millisecond)
	b.spend(300 * time.Millisecond)
	if b.saved != 1300*time.Millisecond {
		t.Fatalf("saved %v after 0.4 s and 0.3 s moves; want 1.3s", b.saved)
	}
	if got := b.extra(easy); got != 0 {
		t.Errorf("decided move: extra %v; want 0", got)
	}
	won := hard
	won.Winrate = 0.95
	if got := b.extra(won); got != 0 {
		t.Errorf("decided game: extra %v; want 0", got)
	}
	if got := b.extra(hard); got != 1300*time.Millisecond {
		t.Errorf("undecided move: extra %v; want all 1.3s saved", got)
	}
	b.spend(2300 * time.Millisecond)
	if b.saved != 0 {
		t.Errorf("saved %v after spending it; want 0", b.saved)
	}
	var used time.Duration
	for i := range 100 {
		used += 100 * time.Millisecond
		b.spend(100 * time.Millisecond)
		if i%10 == 9 {
			x := b.extra(hard)
			if x > maxBankedMoves*time.Second {
				t.Fatalf("extra %v over the cap", x)
			}
			used += time.Second + x
			b.spend(time.Second + x)
		}
	}
	if b.saved > 4*maxBankedMoves*time.Second {
		t.Errorf("saved %v: over the cap", b.saved)
	}
	if moves := 110; used > time.Duration(moves)*time.Second {
		t.Errorf("%d moves took %v: over the default per move", moves, used)
	}
}

// TestSearchFlagsReachConfig: --cpuct and --rave set the searcher's
// PUCT constant and RAVE equivalence; unset, the defaults stay.
func TestSearchFlagsReachConfig(t *testing.T) {
	for _, tc := range []struct {
		cpuct, rave      float64
		wantC, wantEquiv float64
	}{
		{0, -1, mcts.DefaultConfig().CInit, defaultRAVEEquiv},
		{2.5, 3000, 2.5, 3000},
	} {
		eng, err := newEngine(engineConfig{threads: 1, visits: 4, seed: 1, rollouts: 1, maxBatch: 4, lambda: -1, expandAt: -1,
			doomed: -1, stake: -1, scoreW: -1, evaluator: "playouts", cpuct: tc.cpuct, rave: tc.rave}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		s, err := eng.searcher(9)
		if err != nil {
			t.Fatal(err)
		}
		if cfg := s.Config(); cfg.CInit != tc.wantC || cfg.RAVEEquiv != tc.wantEquiv {
			t.Errorf("--cpuct %v --rave %v: c_init %v, RAVE %v; want %v, %v", tc.cpuct, tc.rave, cfg.CInit, cfg.RAVEEquiv, tc.wantC, tc.wantEquiv)
		}
		eng.Close()
	}
}

// TestPlayPrecisionDefault: the commands that play default to the
// fastest arithmetic the CPU has; --precision still overrides it.
func TestPlayPrecisionDefault(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "auto"},
		{[]string{"--precision", "fp32"}, "fp32"},
	} {
		fs := newFlags("gtp", "", io.Discard)
		c := engineFlags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if got := c.backend.precision; len(got) != 1 || got[0] != tc.want {
			t.Errorf("%v: precision %v, want %s", tc.args, got, tc.want)
		}
	}
	var bf backendFlags
	fs := newFlags("eval", "", io.Discard)
	bf.bind(fs, "backend", precisionReference)
	if got := bf.precision; len(got) != 1 || got[0] != "fp32" {
		t.Errorf("eval's precision %v, want fp32", got)
	}
}

// TestNetworkLineNamesPrecision: the engine's network line says which
// arithmetic the CPU backend runs, as --precision resolved it on this
// CPU (auto: int8 with VNNI, else bf16 or fp32), so that a log shows what
// a match was played with.
func TestNetworkLineNamesPrecision(t *testing.T) {
	for _, p := range []string{"fp32", "auto"} {
		var out, errb bytes.Buffer
		err := run(context.Background(), []string{"gtp", "--precision", p, "--threads", "1"},
			strings.NewReader("quit\n"), &out, &errb)
		if err != nil {
			t.Fatalf("--precision %s: %v\n%s", p, err, errb.String())
		}
		want, _ := cpu.ParsePrecision(p)
		line := "(embedded), cpu " + want.Resolve().String()
		if !strings.Contains(errb.String(), line) {
			t.Errorf("--precision %s: no %q on stderr:\n%s", p, line, errb.String())
		}
	}
}

// TestEngineFeaturePlayouts: a v3 network's planes are encoded from
// --feature-playouts playouts, by default playFeaturePlayouts; 0 gives
// the nets.PlayoutsV3 the network learnt on.
func TestEngineFeaturePlayouts(t *testing.T) {
	s := tinySpec(9)
	s.Features = nets.FeaturesV3
	path := saveTiny(t, s, 5)
	fs := pflag.NewFlagSet("gtp", pflag.ContinueOnError)
	def := engineFlags(fs)
	if def.featPlay != playFeaturePlayouts {
		t.Fatalf("--feature-playouts defaults to %d; want %d", def.featPlay, playFeaturePlayouts)
	}
	for _, tc := range []struct{ flag, want int }{{playFeaturePlayouts, playFeaturePlayouts}, {0, nets.PlayoutsV3}, {3, 3}} {
		eng, err := newEngine(engineConfig{threads: 1, visits: 4, seed: 1, rollouts: 1, maxBatch: 4, lambda: -1, expandAt: -1,
			evaluator: "net", weights: []string{path}, featPlay: tc.flag}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		got := eng.nets[9].eval.FeaturePlayouts()
		eng.Close()
		if got != tc.want {
			t.Errorf("--feature-playouts %d: the network's planes come from %d playouts; want %d", tc.flag, got, tc.want)
		}
	}
}
