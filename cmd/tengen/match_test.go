package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tengen-go/tengen/internal/testenv"
	"github.com/tengen-go/tengen/match"
	"github.com/tengen-go/tengen/sgf"
)

func TestMatchJSON(t *testing.T) {
	g := testenv.GNUGo(t)
	dir := t.TempDir()
	var out, errb bytes.Buffer
	args := []string{"match", "--engine", g + " --mode gtp --level 0", "--opponent", "'" + g + "' --mode gtp --level 0",
		"--games", "2", "--size", "7", "--komi", "9", "--openings", "2", "--seed", "5", "--sgf-dir", dir, "--json"}
	if err := run(context.Background(), args, nil, &out, &errb); err != nil {
		t.Fatalf("run(%q) = %v\n%s", args, err, errb.String())
	}
	var rep map[string]any
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out.String())
	}
	for _, key := range []string{"games", "wins_a", "wins_b", "draws", "elo", "elo_low", "elo_high", "results", "engine_a", "forfeits_a"} {
		if _, ok := rep[key]; !ok {
			t.Errorf("JSON lacks %q:\n%s", key, out.String())
		}
	}
	var m matchReport
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m.Games != 2 || m.WinsA+m.WinsB+m.Draws != 2 || len(m.Results) != 2 || !strings.Contains(m.EngineA, "GNU Go") {
		t.Fatalf("report %+v", m)
	}
	for i, r := range m.Results {
		wantBlack := map[bool]string{true: "A", false: "B"}[i == 0] // colours alternate
		if r.Black != wantBlack || r.Reason != "score" && r.Reason != "resign" || r.Moves == 0 {
			t.Errorf("game %d: %+v", i+1, r)
		}
		if want := filepath.Join(dir, []string{"game-0001.sgf", "game-0002.sgf"}[i]); r.SGF != want {
			t.Errorf("game %d: sgf %q; want %q", i+1, r.SGF, want)
		}
		data, err := os.ReadFile(r.SGF)
		if err != nil {
			t.Fatal(err)
		}
		col, err := sgf.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		if sg := sgf.Replay(col.Games[0]); sg.Err != nil || sg.Moves != r.Moves || sg.Info.Result != r.Result {
			t.Errorf("game %d: SGF replays %d moves, RE %q, err %v; report %+v", i+1, sg.Moves, sg.Info.Result, sg.Err, r)
		}
	}
	// One engine at both ends of a finite interval, or a bound when one
	// side won both games.
	if m.WinsA == 1 && (m.Elo == nil || m.EloLow == nil || m.EloHigh == nil) ||
		m.WinsA == 2 && (m.Elo != nil || m.EloLow == nil || m.EloHigh != nil) {
		t.Errorf("Elo fields %v %v %v for %d-%d", m.Elo, m.EloLow, m.EloHigh, m.WinsA, m.WinsB)
	}
	if strings.Count(errb.String(), "/2: black ") != 2 {
		t.Errorf("progress lines:\n%s", errb.String())
	}
}

func TestMatchText(t *testing.T) {
	g := testenv.GNUGo(t)
	var out, errb bytes.Buffer
	args := []string{"match", "--black", g + " --mode gtp --level 0", "--white", g + " --mode gtp --level 0",
		"--games", "1", "--size", "7", "--komi", "9", "--time", "1", "--quiet"}
	if err := run(context.Background(), args, nil, &out, &errb); err != nil {
		t.Fatalf("run(%q) = %v\n%s", args, err, errb.String())
	}
	for _, want := range []string{"A  GNU Go", "games     1:", "Elo A-B", "reason", "score"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if errb.Len() != 0 {
		t.Errorf("--quiet wrote to stderr: %s", errb.String())
	}
}

func TestMatchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"match"},
		{"match", "--black", "x"},
		{"match", "--black", "x", "--white", "y", "--engine", "z"},
		{"match", "--engine", "x", "--opponent", "'y"},
		{"match", "--engine", "x", "--opponent", "y", "--time", "soon"},
		{"match", "--engine", "x", "--opponent", "y", "--games", "0"},
		{"match", "--engine", "x", "--opponent", "y", "--rules", "martian"},
		{"match", "--engine", "x", "--opponent", "y", "extra"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), args, nil, &out, &out); exitCode(err) != 2 {
			t.Errorf("run(%q) = %v; want a usage error", args, err)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help", "match"}, nil, &out, &out); err != nil || !strings.Contains(out.String(), "--opponent") || !strings.Contains(out.String(), "tengen match --resume DIR") {
		t.Errorf("help match = %v\n%s", err, out.String())
	}
}

func TestParseSeconds(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64 // seconds
		ok   bool
	}{{"5", 5, true}, {"2.5", 2.5, true}, {"500ms", 0.5, true}, {"0", 0, true}, {"-1", 0, false}, {"x", 0, false}, {"NaN", 0, false}} {
		d, err := parseSeconds(tt.in)
		if (err == nil) != tt.ok || tt.ok && d.Seconds() != tt.want {
			t.Errorf("parseSeconds(%q) = %v, %v; want %vs (ok %v)", tt.in, d, err, tt.want, tt.ok)
		}
	}
}

// passerCommand is the command line of the passer engine (matchpass_test.go).
func passerCommand() string {
	return "env TENGEN_TEST_MAIN= TENGEN_TEST_PASSER=1 " + match.JoinCommand(os.Args[0])
}

// cancelOn is a standard error that cancels a match when a line holding
// text is written to it (a Ctrl-C after that game).
type cancelOn struct {
	text   string
	cancel func()
	buf    bytes.Buffer
}

func (w *cancelOn) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.text) {
		w.cancel()
	}
	return len(p), nil
}

// runMatchJSON runs "tengen match args... --json" and returns the report.
func runMatchJSON(t *testing.T, args ...string) matchReport {
	t.Helper()
	var out, errb bytes.Buffer
	args = append(append([]string{"match"}, args...), "--json")
	if err := run(context.Background(), args, nil, &out, &errb); err != nil {
		t.Fatalf("run(%q) = %v\n%s", args, err, errb.String())
	}
	var m matchReport
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	return m
}

// sameReport checks that got reports the games of want: colours, results
// and the moves of each record (random openings included); and the same
// totals and Elo.
func sameReport(t *testing.T, got, want matchReport) {
	t.Helper()
	if len(got.Results) != len(want.Results) {
		t.Fatalf("%d results; want %d", len(got.Results), len(want.Results))
	}
	for i := range got.Results {
		g, w := got.Results[i], want.Results[i]
		if filepath.Base(g.SGF) != filepath.Base(w.SGF) {
			t.Errorf("game %d: SGF %s; want %s", i+1, g.SGF, w.SGF)
		}
		if gm, wm := sgfMoves(t, g.SGF), sgfMoves(t, w.SGF); gm != wm {
			t.Errorf("game %d: moves %s; want %s", i+1, gm, wm)
		}
		g.SGF, g.Seconds, w.SGF, w.Seconds = "", 0, "", 0
		if g != w {
			t.Errorf("game %d: %+v; want %+v", i+1, g, w)
		}
	}
	got.Results, want.Results = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report %+v; want %+v", got, want)
	}
}

// sgfMoves returns the moves of the record at path.
func sgfMoves(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	col, err := sgf.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	g := sgf.Replay(col.Games[0])
	if g.Err != nil || g.Info.Result == "" {
		t.Fatalf("%s: %v, RE %q", path, g.Err, g.Info.Result)
	}
	var s []string
	for _, n := range g.Root.MainLine()[1:] {
		for _, p := range []string{"B", "W"} {
			if v, ok := n.Get(p); ok {
				s = append(s, p+"["+v+"]")
			}
		}
	}
	return strings.Join(s, "")
}

// TestMatchResume: a match interrupted after 3 of 6 games (Ctrl-C), then
// left with half a results line and a partial record of game 4 as a kill
// in game 4 would, continues with "--resume DIR" alone into the match
// played without a break; resuming it again reports it; flags that
// disagree with it are refused; --games extends it.
func TestMatchResume(t *testing.T) {
	p := passerCommand()
	flags := []string{"--engine", p, "--opponent", p, "--games", "6", "--size", "5", "--komi", "0.5", "--openings", "3", "--seed", "9"}
	whole := runMatchJSON(t, append(flags, "--sgf-dir", t.TempDir(), "--quiet")...)

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &cancelOn{text: "game 3/6:", cancel: cancel}
	var out bytes.Buffer
	err := run(ctx, append(append([]string{"match"}, flags...), "--sgf-dir", dir), nil, &out, stderr)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "continue with: tengen match --resume "+dir) {
		t.Fatalf("interrupted match = %v; want context.Canceled with a hint to resume", err)
	}
	if !strings.Contains(out.String(), "games     3:") {
		t.Errorf("interrupted match reports:\n%s", out.String())
	}
	results := filepath.Join(dir, match.ResultsFile)
	f, err := os.OpenFile(results, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"game":4,"black`)
	f.Close()
	os.WriteFile(filepath.Join(dir, "game-0004.sgf"), []byte("(;GM[1]SZ[5];B[aa]"), 0o644)

	resumed := runMatchJSON(t, "--resume", dir, "--quiet")
	sameReport(t, resumed, whole)
	if data, _ := os.ReadFile(results); strings.Count(string(data), "\n") != 6 {
		t.Errorf("%s after the resume:\n%s", match.ResultsFile, data)
	}

	// A finished match is reported as it is.
	var errb bytes.Buffer
	out.Reset()
	if err := run(context.Background(), []string{"match", "--resume", dir}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errb.String(), "6 of 6 games recorded (finished)") || strings.Contains(errb.String(), "game ") || !strings.Contains(out.String(), "games     6:") {
		t.Errorf("resume of a finished match: stderr\n%s\nstdout\n%s", errb.String(), out.String())
	}
	// Flags that agree are accepted.
	sameReport(t, runMatchJSON(t, "--resume", dir, "--engine", p, "--size", "5", "--games", "6", "--sgf-dir", dir, "--quiet", "--move-timeout", "10s"), whole)

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--size", "7"}, "board size 7 differs from match.json's 5"},
		{[]string{"--komi", "7.5", "--seed", "1"}, "komi 7.5 differs from match.json's 0.5; seed 1 differs from match.json's 9"},
		{[]string{"--engine", p + " --other"}, "engine A command"},
		{[]string{"--opponent", "gnugo --mode gtp"}, `engine B command "gnugo --mode gtp" differs`},
		{[]string{"--black", p, "--white", p}, "colours fixed (A Black) differs from match.json's alternating"},
		{[]string{"--games", "4"}, "games 4 < match.json's 6"},
		{[]string{"--openings", "0"}, "openings 0 differs"},
		{[]string{"--time", "1"}, "move time 1s differs"},
		{[]string{"--rules", "japanese"}, "rules japanese (simple ko) differs"},
		{[]string{"--max-moves", "9"}, "move cap 9 differs"},
		{[]string{"--sgf-dir", t.TempDir()}, "different directories"},
		{[]string{"--engine", p, "--black", p}, "either --black and --white"},
	} {
		var out bytes.Buffer
		args := append([]string{"match", "--resume", dir}, tt.args...)
		err := run(context.Background(), args, nil, &out, &out)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) = %v; want a usage error with %q", args, err, tt.want)
		}
	}
	if err := run(context.Background(), []string{"match", "--resume", t.TempDir()}, nil, &out, &out); exitCode(err) != 2 || !strings.Contains(err.Error(), "no match to resume") {
		t.Errorf("resume of an empty directory = %v", err)
	}
	// A new match is not recorded over an old one.
	if err := run(context.Background(), append(append([]string{"match"}, flags...), "--sgf-dir", dir), nil, &out, &out); exitCode(err) != 2 || !strings.Contains(err.Error(), "already holds a match") {
		t.Errorf("a new match in %s = %v; want a usage error", dir, err)
	}

	// --games extends the match: games 7 and 8 are the next pair.
	long := runMatchJSON(t, "--resume", dir, "--games", "8", "--quiet")
	want := runMatchJSON(t, append(flags, "--games", "8", "--sgf-dir", t.TempDir(), "--quiet")...)
	sameReport(t, long, want)
	if long.Results[6].Black != "A" || long.Results[7].Black != "B" || sgfMoves(t, long.Results[6].SGF)[:15] != sgfMoves(t, long.Results[7].SGF)[:15] {
		t.Errorf("games 7 and 8: %+v, %+v", long.Results[6], long.Results[7])
	}
}

// TestMatchResumeAfterKill runs "tengen match" as a subprocess, kills it
// with SIGKILL after its third game (wherever it is then: in a game or
// writing a record), resumes it with "--resume DIR" alone, and compares
// the result with the match played without a break.
func TestMatchResumeAfterKill(t *testing.T) {
	p := passerCommand()
	flags := []string{"match", "--engine", p, "--opponent", p, "--games", "300", "--size", "5", "--komi", "0.5", "--openings", "5", "--seed", "4", "--quiet"}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], append(flags, "--sgf-dir", dir)...)
	cmd.Env = append(os.Environ(), "TENGEN_TEST_MAIN=1")
	var childErr bytes.Buffer
	cmd.Stderr = &childErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	results := filepath.Join(dir, match.ResultsFile)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if data, err := os.ReadFile(results); err == nil && strings.Count(string(data), "\n") >= 3 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no third game after 60 s:\n%s", childErr.String())
		}
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die of SIGKILL: %v\n%s", err, childErr.String())
	}
	done, err := match.ReadResults(dir)
	if err != nil || len(done) < 3 || len(done) >= 300 {
		t.Fatalf("killed after %d games, %v; want 3 to 299", len(done), err)
	}
	t.Logf("killed after %d games", len(done))

	resumed := runMatchJSON(t, "--resume", dir, "--quiet")
	whole := runMatchJSON(t, append(flags[1:], "--sgf-dir", t.TempDir())...)
	sameReport(t, resumed, whole)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 302 { // 300 records, results, settings
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("%d files in the match directory; want 302: %q", len(entries), names)
	}
}
