package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/internal/testenv"
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
	if err := run(context.Background(), []string{"help", "match"}, nil, &out, &out); err != nil || !strings.Contains(out.String(), "--opponent") {
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
