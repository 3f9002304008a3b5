package selfplay

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// wrRecord is a hand-made 7x7 game played without resignation: moves
// alternate from Black, with black[i] the winrate of Black's i-th search
// and white[i] White's (the shorter side passes at 0.5 to the end).
func wrRecord(id string, winner board.Color, black, white []float64) *Record {
	r := &Record{ID: id, Network: "gen-000000", NetworkID: "0123456789ab", Size: 7, Komi: 7.5, Rules: "chinese",
		Visits: 8, Winner: winner, NoResign: true}
	switch winner {
	case board.Black:
		r.Score = 5.5
	case board.White:
		r.Score = -5.5
	}
	r.Result = resultString(r.Winner, r.Score, false)
	at := func(s []float64, i int) float64 {
		if i < len(s) {
			return s[i]
		}
		return 0.5
	}
	for i := range max(len(black), len(white)) {
		r.Moves = append(r.Moves, Move{Color: board.Black, Point: board.Pass, Visits: 8, Winrate: at(black, i)},
			Move{Color: board.White, Point: board.Pass, Visits: 8, Winrate: at(white, i)})
	}
	return r
}

// TestResignAt: the replay fires after Moves own searches in a row below
// the threshold (a winrate equal to it is not below), not before
// MinMove, and a search at or above the threshold starts the count anew.
func TestResignAt(t *testing.T) {
	rule := ResignRule{Moves: 3, MinMove: 1}
	for _, tc := range []struct {
		name      string
		black     []float64
		white     []float64
		rule      ResignRule
		threshold float64
		want      [2]int
	}{
		// White's searches are moves 2, 4, 6, ...
		{"white loses", nil, []float64{0.5, 0.1, 0.1, 0.1}, rule, 0.15, [2]int{0, 8}},
		{"equal is not below", nil, []float64{0.5, 0.1, 0.1, 0.1}, rule, 0.1, [2]int{0, 0}},
		{"two in a row", nil, []float64{0.1, 0.1, 0.5, 0.1, 0.1}, rule, 0.15, [2]int{0, 0}},
		{"count anew", nil, []float64{0.1, 0.1, 0.5, 0.1, 0.1, 0.1}, rule, 0.15, [2]int{0, 12}},
		{"black dips", []float64{0.5, 0.08, 0.08, 0.08, 0.9}, nil, rule, 0.1, [2]int{7, 0}},
		{"first firing only", []float64{0.08, 0.08, 0.08, 0.08, 0.5, 0.08, 0.08, 0.08}, nil, rule, 0.1, [2]int{5, 0}},
		{"min move", repeat(0.08, 6), nil, ResignRule{Moves: 3, MinMove: 5}, 0.1, [2]int{9, 0}},
		// MinMove 0 is a quarter of the 49 points: 12, a White move.
		{"default min move", nil, repeat(0.01, 10), ResignRule{Moves: 1}, 0.1, [2]int{0, 12}},
		{"moves 0 is 1", nil, []float64{0.5, 0.01}, ResignRule{MinMove: 1}, 0.1, [2]int{0, 4}},
		{"both", []float64{0.5, 0.5, 0.01, 0.01, 0.01}, []float64{0.01, 0.01, 0.01}, rule, 0.1, [2]int{9, 6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := wrRecord("g", board.Black, tc.black, tc.white)
			if got := r.ResignAt(tc.rule, tc.threshold); got != tc.want {
				t.Errorf("ResignAt = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestResignReplayMatchesGames: on self-play games played with
// resignation disabled, the replay at the game's threshold gives the
// game's WouldResign, and ResignCheck's verdict. Some thresholds are
// winrates the games recorded, where a rule that saw other winrates than
// the recorded ones (unrounded) would decide otherwise.
func TestResignReplayMatchesGames(t *testing.T) {
	type setting struct {
		threshold float64
		moves     int
		minMove   int
	}
	// The last setting cannot fire (no game is that long), so that not
	// every game's rule fires whatever the playouts' winrates are.
	settings := []setting{{0.3, 2, 0}, {0.45, 3, 4}, {0.2, 1, 0}, {0.05, 3, 0}, {0.45, 1, 1000}}
	cfg := fastGameConfig(7)
	cfg.ResignOffShare = 1
	// The winrates of a game (the moves do not depend on the threshold
	// when resignation is disabled).
	cfg.ResignThreshold = 0.5
	for i, m := range playoutGame(t, 1, cfg).Moves[12:] {
		if i%3 == 0 && m.Winrate > 0 && m.Winrate < 1 && len(settings) < 12 {
			settings = append(settings, setting{m.Winrate, 1, 0})
		}
	}
	fired, games := 0, 0
	for _, tc := range settings {
		cfg.ResignThreshold, cfg.ResignMoves, cfg.ResignMinMove = tc.threshold, tc.moves, tc.minMove
		for seed := uint64(1); seed <= 3; seed++ {
			games++
			r := playoutGame(t, seed, cfg)
			if !r.NoResign || r.Resigned {
				t.Fatalf("seed %d: no_resign %v, resigned %v", seed, r.NoResign, r.Resigned)
			}
			got := r.ResignAt(cfg.ResignRule(), cfg.ResignThreshold)
			if got != r.WouldResign {
				t.Errorf("threshold %v, seed %d: replay %v, game %v", tc.threshold, seed, got, r.WouldResign)
			}
			w1, f1 := r.ResignCheck()
			w2, f2 := resignOutcome(got, r.Winner)
			if w1 != w2 || f1 != f2 {
				t.Errorf("threshold %v, seed %d: ResignCheck %v %v, replay %v %v", tc.threshold, seed, w1, f1, w2, f2)
			}
			if w1 {
				fired++
			}
		}
	}
	if fired == 0 {
		t.Fatal("no game's rule fired: the check checked nothing")
	}
	if fired == games {
		t.Error("every game's rule fired")
	}
	t.Logf("%d of %d games would have resigned", fired, games)
}

// losers returns n games White loses after its winrate falls to 0.04.
func losers(n int) []*Record {
	var gs []*Record
	for i := range n {
		gs = append(gs, wrRecord(fmt.Sprintf("lose-%03d", i), board.Black, []float64{0.5, 0.6, 0.9, 0.95, 0.96, 0.97}, []float64{0.5, 0.4, 0.04, 0.04, 0.04, 0.03}))
	}
	return gs
}

// dippers returns n games Black wins (or draws, with winner Empty) after
// its winrate dipped to 0.08 for 3 searches: false positives at
// thresholds above 0.08. White's rule fires too at 0.3, later.
func dippers(n int, winner board.Color) []*Record {
	var gs []*Record
	for i := range n {
		gs = append(gs, wrRecord(fmt.Sprintf("dip-%03d", i), winner, []float64{0.5, 0.08, 0.08, 0.08, 0.6, 0.9}, []float64{0.5, 0.5, 0.5, 0.5, 0.25, 0.2, 0.2}))
	}
	return gs
}

func TestCalibrateResign(t *testing.T) {
	rule := ResignRule{Moves: 3, MinMove: 1}
	row := func(c ResignCalibration, threshold float64) ResignRow {
		for _, r := range c.Rows {
			if r.Threshold == threshold {
				return r
			}
		}
		t.Fatalf("no row for threshold %v", threshold)
		return ResignRow{}
	}
	// 150 true positives from 0.045 up (0.04 is not below 0.04), and 15
	// false positives from 0.085 up: 15 of 165 has an upper bound above
	// 10%, so 0.08 is the largest safe threshold.
	games := append(losers(150), dippers(15, board.Black)...)
	// Games played with resignation on are not used.
	on := losers(50)
	for _, r := range on {
		r.NoResign = false
	}
	games = append(games, on...)
	c := CalibrateResign(games, rule, 0)
	if c.NoResign != 165 || !c.OK || !c.Enough || c.Threshold != 0.08 || c.MaxUpper != 0.1 {
		t.Fatalf("calibration %+v", c)
	}
	if r := row(c, 0.04); r.Games != 0 || r.FalsePositives != 0 || r.Low != 0 || r.High != 1 {
		t.Errorf("row 0.04: %+v", r)
	}
	if r := row(c, 0.045); r.Games != 150 || r.FalsePositives != 0 || r.Rate != 0 || r.High > 0.03 {
		t.Errorf("row 0.045: %+v", r)
	}
	if r := row(c, 0.08); r != c.Chosen || r.Games != 150 || r.FalsePositives != 0 {
		t.Errorf("row 0.08: %+v, chosen %+v", r, c.Chosen)
	}
	if r := row(c, 0.085); r.Games != 165 || r.FalsePositives != 15 || r.High <= 0.1 || r.Low >= r.Rate || r.Rate >= r.High {
		t.Errorf("row 0.085: %+v", r)
	}
	// In the dippers' games White's rule fires at 0.3 too, after
	// Black's: a game counts once, by the first side to fire.
	if r := row(c, 0.3); r.Games != 165 || r.FalsePositives != 15 {
		t.Errorf("row 0.3: %+v", r)
	}
	if len(c.Rows) != 60 || c.Rows[0].Threshold != 0.005 || c.Rows[59].Threshold != 0.3 {
		t.Errorf("%d rows from %v to %v", len(c.Rows), c.Rows[0].Threshold, c.Rows[len(c.Rows)-1].Threshold)
	}
	if s := c.String(); !strings.Contains(s, "threshold 0.080") || !strings.Contains(s, "0 of 150") {
		t.Errorf("String() = %q", s)
	}
	var b bytes.Buffer
	if err := c.WriteTable(&b); err != nil || !strings.Contains(b.String(), "0.080    150      0    0.0%") ||
		!strings.Contains(b.String(), "<- chosen") || !strings.Contains(b.String(), "(unsafe)") {
		t.Errorf("table:\n%s", b.String())
	}

	// Fewer false positives (5 of 155: upper bound 7.3%): the largest
	// threshold tried is safe. A looser bound with 15 gives the same.
	c = CalibrateResign(append(losers(150), dippers(5, board.Black)...), rule, 0.10)
	if !c.OK || c.Threshold != 0.3 || c.Chosen.Games != 155 || c.Chosen.FalsePositives != 5 {
		t.Errorf("5 false positives: %+v", c.Chosen)
	}
	c = CalibrateResign(append(losers(150), dippers(15, board.Black)...), rule, 0.2)
	if !c.OK || c.Threshold != 0.3 {
		t.Errorf("bound 0.2: threshold %v", c.Threshold)
	}
	// A draw is a false positive too.
	c = CalibrateResign(append(losers(150), dippers(15, board.Empty)...), rule, 0)
	if r := row(c, 0.1); c.Threshold != 0.08 || r.FalsePositives != 15 {
		t.Errorf("draws: threshold %v, row %+v", c.Threshold, r)
	}

	// 99 would-resign games: not enough data at any threshold.
	c = CalibrateResign(losers(99), rule, 0)
	if c.OK || c.Enough || c.Threshold != 0 || c.NoResign != 99 || row(c, 0.3).Games != 99 ||
		!strings.Contains(c.String(), "not enough data") {
		t.Errorf("99 games: %+v, %q", c, c.String())
	}
	if got := (&AutoResign{}).threshold(c, 0.05); got != 0.05 {
		t.Errorf("not enough data: threshold %v, want the one in use", got)
	}
	// 100 would-resign games, all false positives: enough data, none
	// safe; the worker takes the lowest threshold tried.
	c = CalibrateResign(dippers(100, board.Black), rule, 0)
	if c.OK || !c.Enough || !strings.Contains(c.String(), "no threshold") {
		t.Errorf("all false positives: %+v", c)
	}
	if got := (&AutoResign{}).threshold(c, 0.05); got != 0.005 {
		t.Errorf("none safe: threshold %v, want 0.005", got)
	}
	c = CalibrateResign(nil, rule, 0)
	if c.OK || c.Enough || c.NoResign != 0 {
		t.Errorf("no games: %+v", c)
	}
}

// TestResignWindow reads only the no-resign games of the newest Window
// games, and only new files the second time.
func TestResignWindow(t *testing.T) {
	d := Dir(t.TempDir())
	write := func(r *Record) {
		t.Helper()
		if err := WriteGame(d, r, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range losers(3) {
		write(r)
	}
	on := losers(5)
	for i, r := range on {
		r.ID, r.NoResign = fmt.Sprintf("on-%d", i), false
		write(r)
	}
	w := ResignWindow{Dir: d}
	games, looked, err := w.Load(context.Background())
	if err != nil || len(games) != 3 || looked != 8 {
		t.Fatalf("Load: %d games of %d, %v", len(games), looked, err)
	}
	for _, r := range games {
		if !r.NoResign || len(r.Moves) != 12 {
			t.Errorf("game %s: no_resign %v, %d moves", r.ID, r.NoResign, len(r.Moves))
		}
	}
	w.Window = 2
	if _, looked, _ := w.Load(context.Background()); looked != 2 {
		t.Errorf("window 2: looked at %d", looked)
	}
}

// TestRunAutoResign: a worker with AutoResign calibrates at the start
// (not enough data: the threshold stays) and again after its games, when
// the directory has gained enough would-resign games.
func TestRunAutoResign(t *testing.T) {
	d := newTinyDir(t, 7)
	for _, r := range losers(60) {
		if err := WriteGame(d, r, false); err != nil {
			t.Fatal(err)
		}
	}
	cfg := fastConfig(7)
	cfg.Game.ResignMinMove = 1
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu      sync.Mutex
		reports []ResignCalibration
		used    []float64
		added   bool
	)
	cfg.AutoResign = &AutoResign{Every: 2, Report: func(c ResignCalibration, threshold float64) {
		mu.Lock()
		defer mu.Unlock()
		reports, used = append(reports, c), append(used, threshold)
		if len(reports) == 2 {
			cancel()
		}
	}}
	st, err := Run(ctx, d, cfg, func(r *Record, total Stats, onDisk int) {
		if added {
			return
		}
		added = true
		for _, r := range losers(100)[60:] {
			r.ID = "more-" + r.ID
			if err := WriteGame(d, r, false); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 2 || used[0] != 0.05 || reports[0].Enough || used[1] != 0.3 || !reports[1].OK || reports[1].Chosen.Games < 100 {
		t.Fatalf("after %d games: reports %v, thresholds %v", st.Games, reports, used)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := *cfg.AutoResign
	bad.Window = -1
	cfg.AutoResign = &bad
	if err := cfg.Validate(); err == nil {
		t.Error("window -1 passed Validate")
	}
	bad.Window = 0
	cfg.Game.ResignOffShare = 0
	if err := cfg.Validate(); err == nil {
		t.Error("no games without resignation passed Validate")
	}
}
