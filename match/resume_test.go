package match_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/match"
)

// resumable is a 6-game 5x5 match with alternating colours and seeded
// random openings, recorded in dir. The fake engines play
// deterministically, so the same game number gives the same game.
func resumable(t *testing.T, dir string, env ...string) match.Config {
	c := smallConfig(fake(t, append([]string{"FAKE_NAME=alpha"}, env...)...), fake(t, "FAKE_NAME=beta"))
	c.Games = 6
	c.Alternate = true
	c.Openings = 3
	c.Seed = 11
	c.MaxMoves = 12
	c.SGFDir = dir
	return c
}

// interrupted plays c until k games are finished, then cancels it, as a
// Ctrl-C between games would.
func interrupted(t *testing.T, c match.Config, k int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sum, err := match.Run(ctx, c, func(r match.GameResult) {
		if r.Game == k {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || sum.Games != k {
		t.Fatalf("interrupted Run = %d games, %v; want %d games, context.Canceled", sum.Games, err, k)
	}
}

// moves returns the moves of the record at path, as SGF writes them.
func moves(t *testing.T, path string) []string {
	t.Helper()
	g := readSGF(t, path)
	var s []string
	for _, n := range g.Root.MainLine()[1:] {
		for _, p := range []string{"B", "W"} {
			if v, ok := n.Get(p); ok {
				s = append(s, p+"["+v+"]")
			}
		}
	}
	return s
}

// sameMatch checks that got has the games of want: colours, openings
// and, the fake engines being deterministic, the whole game and its
// result; and the same totals.
func sameMatch(t *testing.T, got, want match.Summary) {
	t.Helper()
	if got.Games != want.Games || len(got.Results) != len(want.Results) {
		t.Fatalf("%d games (%d results); want %d", got.Games, len(got.Results), want.Games)
	}
	for i, g := range got.Results {
		w := want.Results[i]
		if g.Game != w.Game || g.BlackA != w.BlackA || g.Winner != w.Winner || g.Score != w.Score || g.Moves != w.Moves || g.Reason != w.Reason || g.Detail != w.Detail {
			t.Errorf("game %d = %+v; want %+v", i+1, g, w)
		}
		if filepath.Base(g.SGF) != filepath.Base(w.SGF) {
			t.Errorf("game %d: SGF %s; want %s", i+1, g.SGF, w.SGF)
		}
		if gm, wm := moves(t, g.SGF), moves(t, w.SGF); !slices.Equal(gm, wm) {
			t.Errorf("game %d: moves %v; want %v", i+1, gm, wm)
		}
	}
	if got.NameA != want.NameA || got.NameB != want.NameB || got.WinsA != want.WinsA || got.WinsB != want.WinsB || got.Draws != want.Draws ||
		got.WinsBlack != want.WinsBlack || got.WinsWhite != want.WinsWhite || got.ForfeitsA != want.ForfeitsA || got.ForfeitsB != want.ForfeitsB ||
		got.Elo != want.Elo || got.EloLow != want.EloLow || got.EloHigh != want.EloHigh {
		t.Errorf("summary %+v; want %+v", got, want)
	}
}

// resultLines returns the lines of dir's results file, each parsed.
func resultLines(t *testing.T, dir string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, match.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	var lines []map[string]any
	for i, s := range strings.SplitAfter(string(data), "\n") {
		if s == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil || !strings.HasSuffix(s, "\n") {
			t.Fatalf("%s line %d %q: %v", match.ResultsFile, i+1, s, err)
		}
		lines = append(lines, m)
	}
	return lines
}

// A match interrupted after 3 games, then killed in game 4 (a partial
// record, half a results line and a temporary file left behind), resumed,
// is the uninterrupted match: game 4 shares game 3's opening and gets the
// other colours, and the summary covers all 6 games.
func TestResumeAfterInterruption(t *testing.T) {
	whole := runMatch(t, resumable(t, t.TempDir()))

	dir := t.TempDir()
	c := resumable(t, dir)
	interrupted(t, c, 3)
	if n := len(resultLines(t, dir)); n != 3 {
		t.Fatalf("%d results lines after 3 games", n)
	}
	partial := filepath.Join(dir, "game-0004.sgf")
	if err := os.WriteFile(partial, []byte("(;FF[4]GM[1]SZ[5];B[cc];W[dd"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, match.ResultsFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"game":4,"black_a":fal`)
	f.Close()
	tmp := filepath.Join(dir, ".game-0004.sgf.123456.tmp")
	if err := os.WriteFile(tmp, []byte("(;"), 0o644); err != nil {
		t.Fatal(err)
	}

	c.Resume = true
	var played []int
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sum, err := match.Run(ctx, c, func(r match.GameResult) { played = append(played, r.Game) })
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if !slices.Equal(played, []int{4, 5, 6}) {
		t.Errorf("resume played games %v; want 4 5 6", played)
	}
	sameMatch(t, sum, whole)
	lines := resultLines(t, dir)
	if len(lines) != 6 {
		t.Fatalf("%d results lines; want 6", len(lines))
	}
	for i, l := range lines {
		if l["game"] != float64(i+1) || l["black_a"] != (i%2 == 0) || l["name_a"] != "alpha 1.0" || l["sgf"] != filepath.Base(sum.Results[i].SGF) {
			t.Errorf("results line %d: %v", i+1, l)
		}
	}
	if _, err := os.Stat(tmp); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary file left after resume: %v", err)
	}
	if g := readSGF(t, partial); g.Info.Result == "" {
		t.Errorf("game 4 record not replaced: RE %q", g.Info.Result)
	}
	again, err := match.ReadResults(dir)
	if err != nil || len(again) != 6 {
		t.Fatalf("ReadResults = %d games, %v", len(again), err)
	}
	sameMatch(t, match.Summary{NameA: sum.NameA, NameB: sum.NameB, Games: 6, WinsA: sum.WinsA, WinsB: sum.WinsB, Draws: sum.Draws,
		WinsBlack: sum.WinsBlack, WinsWhite: sum.WinsWhite, ForfeitsA: sum.ForfeitsA, ForfeitsB: sum.ForfeitsB,
		Elo: sum.Elo, EloLow: sum.EloLow, EloHigh: sum.EloHigh, Results: again}, whole)
}

// Resuming a finished match reports it without starting the engines;
// raising Games extends it to the match of that length.
func TestResumeFinishedAndExtend(t *testing.T) {
	dir := t.TempDir()
	c := resumable(t, dir)
	whole := runMatch(t, c)

	log := filepath.Join(t.TempDir(), "a.log")
	c = resumable(t, dir, "FAKE_LOG="+log)
	c.Resume = true
	sum, err := match.Run(context.Background(), c, func(r match.GameResult) { t.Errorf("game %d played", r.Game) })
	if err != nil {
		t.Fatal(err)
	}
	sameMatch(t, sum, whole)
	if _, err := os.Stat(log); err == nil {
		t.Error("the engine was started to report a finished match")
	}

	long := resumable(t, t.TempDir())
	long.Games = 8
	want := runMatch(t, long)
	c.Games = 8
	c.MoveTimeout = 15 * time.Second // a hard time-out may change
	sum, err = match.Run(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameMatch(t, sum, want)
	saved, err := match.LoadConfig(dir)
	if err != nil || saved.Games != 8 || saved.MoveTimeout != 15*time.Second {
		t.Errorf("LoadConfig after extending = games %d, move time-out %v, %v; want 8, 15s", saved.Games, saved.MoveTimeout, err)
	}
}

// Settings that disagree with match.json are refused, each difference
// named, before anything in the directory changes.
func TestResumeMismatch(t *testing.T) {
	dir := t.TempDir()
	c := resumable(t, dir)
	interrupted(t, c, 2)
	partial := filepath.Join(dir, "game-0003.sgf")
	os.WriteFile(partial, []byte("(;SZ[5]"), 0o644)
	before, _ := os.ReadFile(filepath.Join(dir, match.ResultsFile))
	c.Resume = true
	other := fake(t)
	other.GTP.Args = []string{"--level", "2"}
	for _, tt := range []struct {
		name string
		mod  func(c *match.Config)
		want string
	}{
		{"size", func(c *match.Config) { c.Size = 7 }, "board size 7 differs from match.json's 5"},
		{"komi", func(c *match.Config) { c.Komi = 7.5 }, "komi 7.5 differs"},
		{"seed", func(c *match.Config) { c.Seed = 12 }, "seed 12 differs from match.json's 11"},
		{"openings", func(c *match.Config) { c.Openings = 0 }, "openings 0 differs"},
		{"colours", func(c *match.Config) { c.Alternate = false }, "colours fixed (A Black) differs from match.json's alternating"},
		{"engine A", func(c *match.Config) { c.A = other }, "engine A command"},
		{"engine B", func(c *match.Config) { c.B.GTP.Path = "gnugo" }, `engine B command "gnugo" differs`},
		{"name", func(c *match.Config) { c.A.Name = "x" }, "engine A name"},
		{"fewer games", func(c *match.Config) { c.Games = 4 }, "games 4 < match.json's 6"},
		{"rules", func(c *match.Config) { c.Rules, _ = board.RulesByName("japanese") }, "rules japanese (simple ko) differs"},
		{"time", func(c *match.Config) { c.MoveTime = time.Second }, "move time 1s differs from match.json's 0s"},
		{"cap", func(c *match.Config) { c.MaxMoves = 0 }, "move cap 0 differs"},
		{"two", func(c *match.Config) { c.Size, c.Seed = 9, 1 }, "board size 9 differs from match.json's 5; seed 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := c
			tt.mod(&m)
			_, err := match.Run(context.Background(), m, nil)
			if !errors.Is(err, match.ErrMismatch) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run = %v; want ErrMismatch with %q", err, tt.want)
			}
			saved, err := match.LoadConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.CheckResume(saved); !errors.Is(err, match.ErrMismatch) {
				t.Errorf("CheckResume = %v; want ErrMismatch", err)
			}
		})
	}
	if after, _ := os.ReadFile(filepath.Join(dir, match.ResultsFile)); !bytes.Equal(after, before) {
		t.Errorf("a refused resume changed the results file")
	}
	if _, err := os.Stat(partial); err != nil {
		t.Errorf("a refused resume removed a record: %v", err)
	}
}

func TestResumeErrors(t *testing.T) {
	c := resumable(t, t.TempDir())
	c.Resume = true
	if _, err := match.Run(context.Background(), c, nil); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "no match to resume") {
		t.Errorf("resume of an empty directory = %v; want fs.ErrNotExist", err)
	}
	c.SGFDir = ""
	if err := c.Validate(); err == nil {
		t.Error("Validate accepts Resume without SGFDir")
	}

	dir := t.TempDir()
	c = resumable(t, dir)
	interrupted(t, c, 2)
	c.Resume = true
	results := filepath.Join(dir, match.ResultsFile)
	good, _ := os.ReadFile(results)
	lines := strings.SplitAfter(string(good), "\n")
	for _, tt := range []struct {
		name, content string
		mismatch      bool
		want          string
	}{
		{"bad middle line", lines[0][:20] + "\n" + lines[1], false, "line 1"},
		{"game out of order", lines[1] + lines[0], false, "game 2; want game 1"},
		{"colour", strings.Replace(lines[0], `"black_a":true`, `"black_a":false`, 1) + lines[1], true, "A played White in game 1"},
		{"bad winner", strings.Replace(lines[0], `"winner":"`, `"winner":"X`, 1) + lines[1], false, "bad winner"},
	} {
		os.WriteFile(results, []byte(tt.content), 0o644)
		_, err := match.Run(context.Background(), c, nil)
		if err == nil || errors.Is(err, match.ErrMismatch) != tt.mismatch || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Run = %v; want an error with %q (mismatch %v)", tt.name, err, tt.want, tt.mismatch)
		}
	}
	os.WriteFile(filepath.Join(dir, match.ConfigFile), []byte(`{"version": 2}`), 0o644)
	if _, err := match.LoadConfig(dir); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("LoadConfig of version 2 = %v", err)
	}
}

// match.json keeps the settings that decide the games, in a readable
// form, and LoadConfig reads them back.
func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	c := smallConfig(fake(t, "FAKE_SCRIPT=resign"), fake(t))
	c.A.Name = "the engine"
	c.A.GTP.Args = []string{"--flag", "two words", "it's"}
	c.B.GTP.Dir = t.TempDir()
	c.Rules, _ = board.RulesByName("AGA")
	c.MoveTime = 1500 * time.Millisecond
	c.MoveTimeout = 20 * time.Second
	c.CommandTimeout = 0
	c.MaxMoves = 30
	c.Openings = 1
	c.Seed = 1<<64 - 1
	c.SGFDir = dir
	runMatch(t, c)
	data, err := os.ReadFile(filepath.Join(dir, match.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"version", "engine_a", "engine_b", "games", "alternate", "size", "komi", "rules", "ko", "move_time", "move_timeout", "command_timeout", "max_moves", "openings", "seed"} {
		if _, ok := m[key]; !ok {
			t.Errorf("%s lacks %q:\n%s", match.ConfigFile, key, data)
		}
	}
	if !strings.Contains(string(data), `"move_time": "1.5s"`) || !strings.Contains(string(data), `"seed": 18446744073709551615`) {
		t.Errorf("%s:\n%s", match.ConfigFile, data)
	}
	got, err := match.LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := c
	want.Resume = true
	want.A.GTP.Env, want.B.GTP.Env = nil, nil // not saved
	want.A.GTP.QuitTimeout, want.B.GTP.QuitTimeout = 0, 0
	if got.A.Name != want.A.Name || got.A.GTP.Path != want.A.GTP.Path || !slices.Equal(got.A.GTP.Args, want.A.GTP.Args) || got.B.GTP.Dir != want.B.GTP.Dir {
		t.Errorf("engines %+v, %+v; want %+v, %+v", got.A, got.B, want.A, want.B)
	}
	got.A, got.B = want.A, want.B
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadConfig = %+v; want %+v", got, want)
	}
	if err := c.CheckResume(got); err != nil {
		t.Errorf("CheckResume of the saved config = %v", err)
	}
	// The results file of a game without a winner's score.
	l := resultLines(t, dir)
	if len(l) != 1 || l[0]["reason"] != "resign" || l[0]["winner"] != "W" || l[0]["result"] != "W+R" || l[0]["name_a"] != "the engine" {
		t.Errorf("results %v", l)
	}
}

func TestJoinCommand(t *testing.T) {
	for _, tt := range []struct {
		words []string
		want  string
	}{
		{[]string{"gnugo", "--mode", "gtp", "--level", "0"}, "gnugo --mode gtp --level 0"},
		{[]string{"/opt/my engine/bin", "-x=1,2"}, "'/opt/my engine/bin' -x=1,2"},
		{[]string{"a", "", "it's", `"q"`}, `a '' 'it'\''s' '"q"'`},
	} {
		if got := match.JoinCommand(tt.words...); got != tt.want {
			t.Errorf("JoinCommand(%q) = %s; want %s", tt.words, got, tt.want)
		}
	}
}

// FuzzJoinCommand checks that SplitCommand reads JoinCommand's line back
// as the words.
func FuzzJoinCommand(f *testing.F) {
	f.Add("gnugo", "it's a \"test\"", "\n\\$`")
	f.Add("", " ", "''")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		words := []string{a, b, c}
		line := match.JoinCommand(words...)
		got, err := match.SplitCommand(line)
		if err != nil || !slices.Equal(got, words) {
			t.Errorf("SplitCommand(JoinCommand(%q)) = SplitCommand(%s) = %q, %v", words, line, got, err)
		}
	})
}
