package match_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/match"
	"github.com/tengen-go/tengen/sgf"
)

// smallConfig is a one-game 5x5 match between a and b, a playing Black.
func smallConfig(a, b match.Engine) match.Config {
	c := match.DefaultConfig()
	c.A, c.B = a, b
	c.Games = 1
	c.Alternate = false
	c.Size = 5
	c.Komi = 0.5
	c.MoveTimeout = 20 * time.Second
	c.CommandTimeout = 20 * time.Second
	return c
}

func runMatch(t *testing.T, c match.Config) match.Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var mu sync.Mutex
	seen := 0
	sum, err := match.Run(ctx, c, func(match.GameResult) { mu.Lock(); seen++; mu.Unlock() })
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if sum.Games != c.Games || len(sum.Results) != c.Games || seen != c.Games {
		t.Fatalf("Run played %d games (%d results, %d progress calls); want %d", sum.Games, len(sum.Results), seen, c.Games)
	}
	return sum
}

// A wall for each side on 5x5 and a dead white stone at C1 in Black's
// area, then two passes:
//
//	5 . . . . .
//	4 O O O O O
//	3 . . . . .
//	2 X X X X X
//	1 . . O . .
const (
	wallBlack = "A2,B2,C2,D2,E2,pass,pass"
	wallWhite = "A4,B4,C4,D4,E4,C1,pass"
)

func TestForfeits(t *testing.T) {
	tests := []struct {
		name         string
		black, white []string // extra env of the fake engines
		want         match.Reason
		winner       board.Color
		moves        int
		detail       string
	}{
		{"illegal occupied", []string{"FAKE_SCRIPT=auto,auto,occupied"}, nil, match.ReasonIllegal, board.White, 4, "occupied"},
		{"illegal unreadable", []string{"FAKE_SCRIPT=garbage"}, nil, match.ReasonIllegal, board.White, 0, "Z99"},
		{"illegal white", nil, []string{"FAKE_SCRIPT=occupied"}, match.ReasonIllegal, board.Black, 1, "occupied"},
		// White retakes a ko at once.
		{"illegal ko", []string{"FAKE_SCRIPT=B3,C4,C2,A1,D3"}, []string{"FAKE_SCRIPT=D4,D2,E3,C3,C3"}, match.ReasonIllegal, board.Black, 9, "ko"},
		{"resign", []string{"FAKE_SCRIPT=auto,resign"}, nil, match.ReasonResign, board.White, 2, "resign"},
		{"resign white", nil, []string{"FAKE_SCRIPT=RESIGN"}, match.ReasonResign, board.Black, 1, "resign"},
		{"refused genmove", nil, []string{"FAKE_SCRIPT=auto,refuse"}, match.ReasonError, board.Black, 3, "cannot"},
		{"crash", []string{"FAKE_SCRIPT=auto,crash"}, nil, match.ReasonCrash, board.White, 2, "exit status 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := smallConfig(fake(t, tt.black...), fake(t, tt.white...))
			c.SGFDir = t.TempDir()
			r := runMatch(t, c).Results[0]
			if r.Reason != tt.want || r.Winner != tt.winner || r.Moves != tt.moves || !strings.Contains(r.Detail, tt.detail) {
				t.Errorf("result = %+v; want reason %s, winner %v, %d moves, detail with %q", r, tt.want, tt.winner, tt.moves, tt.detail)
			}
			g := readSGF(t, r.SGF)
			if g.Moves != tt.moves || g.Info.Result == "" || !strings.HasPrefix(g.Info.Result, tt.winner.String()+"+") {
				t.Errorf("SGF has %d moves, RE[%s]; want %d moves, %s won", g.Moves, g.Info.Result, tt.moves, tt.winner)
			}
		})
	}
}

// readSGF parses and replays the record at path, which must be legal.
func readSGF(t *testing.T, path string) *sgf.Game {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	col, err := sgf.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v\n%s", path, err, data)
	}
	if len(col.Games) != 1 {
		t.Fatalf("%s: %d games; want 1", path, len(col.Games))
	}
	g := sgf.Replay(col.Games[0])
	if g.Err != nil {
		t.Fatalf("%s: %v\n%s", path, g.Err, data)
	}
	return g
}

func TestScoring(t *testing.T) {
	tests := []struct {
		name         string
		komi         float64
		black, white []string
		score        float64
		moves        int
		detail       string
		cleanupB     bool // Black's engine got kgs-genmove_cleanup
		cleanupW     bool
	}{
		// Both call C1 dead: it is removed; 10 points each.
		{"agreed draw", 0, []string{"FAKE_DEAD=C1"}, []string{"FAKE_DEAD=c1"}, 0, 14, "agreed", false, false},
		{"agreed", 0.5, []string{"FAKE_DEAD=C1"}, []string{"FAKE_DEAD=C1"}, -0.5, 14, "agreed", false, false},
		// White says nothing is dead: cleanup. Black captures C1 with B1
		// and D1 while White passes; then two passes.
		{"cleanup", 0.5, []string{"FAKE_DEAD=C1", "FAKE_SCRIPT=" + wallBlack + ",B1,D1,pass"}, []string{"FAKE_SCRIPT=" + wallWhite + ",pass,pass"}, -0.5, 19, "cleanup", true, true},
		{"cleanup genmove", 0.5, []string{"FAKE_DEAD=C1", "FAKE_SCRIPT=" + wallBlack + ",B1,D1,pass"}, []string{"FAKE_NO_CLEANUP=1", "FAKE_SCRIPT=" + wallWhite + ",pass,pass"}, -0.5, 19, "cleanup", true, false},
		// Black cannot list dead stones; nobody captures C1 in the
		// cleanup: Tromp-Taylor counts it (Black 5, White 11).
		{"cleanup no capture", 0.5, []string{"FAKE_DEAD=refuse", "FAKE_SCRIPT=" + wallBlack + ",pass"}, []string{"FAKE_DEAD=C1", "FAKE_SCRIPT=" + wallWhite + ",pass"}, -6.5, 16, "cleanup", true, true},
		// A listed point that is empty makes the list invalid.
		{"bad dead list", 0.5, []string{"FAKE_DEAD=C3", "FAKE_SCRIPT=" + wallBlack + ",pass"}, []string{"FAKE_DEAD=C3", "FAKE_SCRIPT=" + wallWhite + ",pass"}, -6.5, 16, "cleanup", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			logB, logW := filepath.Join(dir, "b.log"), filepath.Join(dir, "w.log")
			black := append([]string{"FAKE_LOG=" + logB, "FAKE_SCRIPT=" + wallBlack}, tt.black...)
			white := append([]string{"FAKE_LOG=" + logW, "FAKE_SCRIPT=" + wallWhite}, tt.white...)
			c := smallConfig(fake(t, black...), fake(t, white...))
			c.Komi = tt.komi
			c.MoveTime = 1500 * time.Millisecond
			c.SGFDir = filepath.Join(dir, "sgf")
			sum := runMatch(t, c)
			r := sum.Results[0]
			wantWinner := board.White
			if tt.score == 0 {
				wantWinner = board.Empty
			}
			if r.Reason != match.ReasonScore || r.Score != tt.score || r.Winner != wantWinner || r.Moves != tt.moves || !strings.Contains(r.Detail, tt.detail) {
				t.Errorf("result = %+v; want score %v, winner %v, %d moves, detail with %q", r, tt.score, wantWinner, tt.moves, tt.detail)
			}
			if tt.score == 0 && (sum.Draws != 1 || sum.Elo != 0) {
				t.Errorf("draw: summary %+v", sum)
			}
			for _, l := range []struct {
				path    string
				cleanup bool
			}{{logB, tt.cleanupB}, {logW, tt.cleanupW}} {
				data, err := os.ReadFile(l.path)
				if err != nil {
					t.Fatal(err)
				}
				log := string(data)
				for _, want := range []string{"boardsize 5", "clear_board", "komi", "time_settings 0 2 1", "final_status_list dead"} {
					if !strings.Contains(log, want) {
						t.Errorf("%s lacks %q:\n%s", filepath.Base(l.path), want, log)
					}
				}
				if got := strings.Contains(log, "kgs-genmove_cleanup"); got != l.cleanup {
					t.Errorf("%s: kgs-genmove_cleanup sent = %v; want %v:\n%s", filepath.Base(l.path), got, l.cleanup, log)
				}
			}
			// Each engine heard the other's moves.
			if data, _ := os.ReadFile(logW); !strings.Contains(string(data), "play b E2") {
				t.Errorf("White's engine never got play b E2:\n%s", data)
			}
			if data, _ := os.ReadFile(logB); !strings.Contains(string(data), "play w C1") {
				t.Errorf("Black's engine never got play w C1:\n%s", data)
			}
			g := readSGF(t, r.SGF)
			if g.Moves != tt.moves || g.Info.Size != 5 || g.Info.Komi != tt.komi {
				t.Errorf("SGF: %d moves, size %d, komi %v", g.Moves, g.Info.Size, g.Info.Komi)
			}
			if wantRE := map[bool]string{true: "0", false: "W+" + strconv.FormatFloat(-tt.score, 'f', -1, 64)}[tt.score == 0]; g.Info.Result != wantRE {
				t.Errorf("SGF RE[%s]; want %s", g.Info.Result, wantRE)
			}
		})
	}
}

func TestCrashedEngineIsRestarted(t *testing.T) {
	once := filepath.Join(t.TempDir(), "crashed")
	c := smallConfig(fake(t, "FAKE_SCRIPT=auto,crash", "FAKE_ONCE="+once), fake(t))
	c.Games = 2
	sum := runMatch(t, c)
	if r := sum.Results[0]; r.Reason != match.ReasonCrash || r.Winner != board.White || !strings.Contains(r.Detail, "exit status 3") {
		t.Errorf("game 1 = %+v; want a crash of Black (A)", r)
	}
	if r := sum.Results[1]; r.Reason.Forfeit() {
		t.Errorf("game 2 = %+v; want a finished game after the restart", r)
	}
	if sum.ForfeitsA != 1 || sum.ForfeitsB != 0 || sum.WinsB < 1 {
		t.Errorf("summary %+v; want one forfeit by A", sum)
	}
}

func TestEngineDeadBetweenGamesIsRestarted(t *testing.T) {
	once := filepath.Join(t.TempDir(), "exited")
	c := smallConfig(fake(t, "FAKE_SCRIPT="+wallBlack, "FAKE_EXIT_AFTER_SCORING=1", "FAKE_ONCE="+once), fake(t, "FAKE_SCRIPT="+wallWhite))
	c.Games = 2
	sum := runMatch(t, c)
	if _, err := os.Stat(once); err != nil {
		t.Fatalf("the engine never exited: %v", err)
	}
	for _, r := range sum.Results {
		if r.Reason != match.ReasonScore || r.Moves != 14 {
			t.Errorf("game %d = %+v; want a scored game of 14 moves", r.Game, r)
		}
	}
}

func TestHungEngineTimesOut(t *testing.T) {
	once := filepath.Join(t.TempDir(), "hung")
	c := smallConfig(fake(t), fake(t, "FAKE_SCRIPT=auto,auto,hang", "FAKE_ONCE="+once))
	c.Games = 2
	c.MoveTimeout = 300 * time.Millisecond
	start := time.Now()
	sum := runMatch(t, c)
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("match took %v with a 300ms move time-out", d)
	}
	if r := sum.Results[0]; r.Reason != match.ReasonTimeout || r.Winner != board.Black || r.Moves != 5 {
		t.Errorf("game 1 = %+v; want White (B) timed out at move 6", r)
	}
	if r := sum.Results[1]; r.Reason.Forfeit() {
		t.Errorf("game 2 = %+v; want a finished game after the restart", r)
	}
	if sum.ForfeitsB != 1 || sum.WinsA < 1 {
		t.Errorf("summary %+v; want one forfeit by B", sum)
	}
}

func TestMoveCap(t *testing.T) {
	c := smallConfig(fake(t), fake(t))
	c.MaxMoves = 6
	r := runMatch(t, c).Results[0]
	if r.Reason != match.ReasonCap || r.Moves != 6 {
		t.Errorf("result = %+v; want the cap after 6 moves", r)
	}
	// A5 B5 C5 D5 E5 A4 (row by row): Black 3 + 1 + ... by Tromp-Taylor.
	if r.Winner == board.Empty || r.Score == 0 {
		t.Errorf("result = %+v; want a scored win", r)
	}
}

func TestAlternatingColoursAndOpenings(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(fake(t, "FAKE_NAME=alpha"), fake(t, "FAKE_NAME=beta"))
	c.Games = 4
	c.Alternate = true
	c.Openings = 4
	c.Seed = 7
	c.MaxMoves = 12
	c.SGFDir = dir
	sum := runMatch(t, c)
	if sum.NameA != "alpha 1.0" || sum.NameB != "beta 1.0" {
		t.Errorf("names %q, %q; want alpha 1.0, beta 1.0", sum.NameA, sum.NameB)
	}
	var openings []string
	for i, r := range sum.Results {
		if r.Game != i+1 || r.BlackA != (i%2 == 0) {
			t.Errorf("game %d: Game %d, BlackA %v", i+1, r.Game, r.BlackA)
		}
		g := readSGF(t, r.SGF)
		wantB, wantW := "alpha 1.0", "beta 1.0"
		if !r.BlackA {
			wantB, wantW = wantW, wantB
		}
		if g.Info.PB != wantB || g.Info.PW != wantW {
			t.Errorf("game %d: PB %q PW %q; want %q %q", r.Game, g.Info.PB, g.Info.PW, wantB, wantW)
		}
		var first []string
		for _, n := range g.Root.MainLine()[1:5] {
			v, _ := n.Get("B")
			if w, ok := n.Get("W"); ok {
				v = w
			}
			first = append(first, v)
		}
		openings = append(openings, strings.Join(first, " "))
	}
	if openings[0] != openings[1] || openings[2] != openings[3] {
		t.Errorf("games of a pair have different openings: %q", openings)
	}
	if openings[0] == openings[2] {
		t.Errorf("two pairs share the opening %q", openings[0])
	}
	// Same seed, same openings.
	again := runMatch(t, c)
	for i := range again.Results {
		g := readSGF(t, again.Results[i].SGF)
		if g.Moves < 4 {
			t.Fatalf("game %d: %d moves", i+1, g.Moves)
		}
	}
	if sum.WinsA+sum.WinsB+sum.Draws != 4 || sum.WinsBlack+sum.WinsWhite+sum.Draws != 4 {
		t.Errorf("summary totals %+v", sum)
	}
}

func TestCancel(t *testing.T) {
	c := smallConfig(fake(t, "FAKE_SCRIPT=hang"), fake(t))
	c.Games = 3
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	sum, err := match.Run(ctx, c, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v; want context.Canceled", err)
	}
	if sum.Games != 0 {
		t.Errorf("summary counts %d games; want 0 (the interrupted game is not a result)", sum.Games)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Run took %v to stop after cancel", d)
	}
}

func TestRunErrors(t *testing.T) {
	good := fake(t)
	missing := match.Engine{}
	missing.GTP.Path = filepath.Join(t.TempDir(), "no-such-engine")
	for _, tt := range []struct {
		name string
		c    match.Config
	}{
		{"missing engine", smallConfig(good, missing)},
		{"no games", func() match.Config { c := smallConfig(good, good); c.Games = 0; return c }()},
		{"bad size", func() match.Config { c := smallConfig(good, good); c.Size = 1; return c }()},
		{"no path", smallConfig(good, match.Engine{})},
	} {
		if _, err := match.Run(context.Background(), tt.c, nil); err == nil {
			t.Errorf("%s: Run succeeded", tt.name)
		}
	}
}
