package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/internal/testenv"
)

func TestSGFStatsFixtures(t *testing.T) {
	var out bytes.Buffer
	args := []string{"sgf", "stats", "--json", "--parallel", "2", "../../sgf/testdata"}
	if err := run(context.Background(), args, nil, &out, &out); err != nil {
		t.Fatalf("run(%q) = %v\n%s", args, err, out.String())
	}
	var st sgfStats
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out.String())
	}
	// game.sgf: 6 main-line moves (2 passes); two_games.sgf: 2 + 1 moves.
	if st.Files != 2 || st.Games != 3 || st.Moves != 9 || st.Passes != 2 || st.Errors != 0 ||
		st.Sizes["9"] != 2 || st.Sizes["13"] != 1 || st.Results["W+R"] != 1 || st.Results["B+score"] != 1 || st.Results["none"] != 1 {
		t.Errorf("stats = %+v", st)
	}
	for _, key := range []string{`"files"`, `"games"`, `"moves"`, `"errors"`, `"error_list"`, `"warnings"`, `"sizes"`} {
		if !strings.Contains(out.String(), key) {
			t.Errorf("JSON lacks %s:\n%s", key, out.String())
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"sgf", "stats", "../../sgf/testdata"}, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "games     3") || !strings.Contains(out.String(), "sizes     9:2, 13:1") {
		t.Errorf("text output:\n%s", out.String())
	}
}

func TestSGFStatsUsage(t *testing.T) {
	for _, args := range [][]string{{"sgf"}, {"sgf", "frob"}, {"sgf", "stats"}, {"sgf", "stats", "--parallel", "0", "x"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, nil, &out, &out); exitCode(err) != 2 {
			t.Errorf("run(%q) = %v; want a usage error", args, err)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help", "sgf"}, nil, &out, &out); err != nil || !strings.Contains(out.String(), "stats") {
		t.Errorf("help sgf = %v\n%s", err, out.String())
	}
}

// TestSGFStatsSharedSet reads both training archives and checks the counts
// of shared/data/sgf/MANIFEST.txt: 34,502 19x19 + 279 9x9 games and
// 6,928,712 + 16,629 = 6,945,341 main-line moves. We measure exactly those
// numbers, as count.py does (it counts moves without replaying them; every
// game here replays legally under its own rules, so the two agree).
// One to two minutes on two shared cores: the time goes to board.Game.Play;
// -short skips it.
func TestSGFStatsSharedSet(t *testing.T) {
	dir := filepath.Join(testenv.SharedData(t), "sgf")
	if testing.Short() {
		t.Skip("-short: the full shared set takes about a minute")
	}
	var out bytes.Buffer
	args := []string{"sgf", "stats", "--json", "--parallel", "2",
		filepath.Join(dir, "kgs-strong-19x19.tar.gz"), filepath.Join(dir, "9x9.tar.gz")}
	if err := run(context.Background(), args, nil, &out, &out); err != nil {
		t.Fatalf("run = %v\n%s", err, out.String())
	}
	var st sgfStats
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	const wantMoves = 6945341
	if st.Files != 34781 || st.Games != 34781 || st.Sizes["19"] != 34502 || st.Sizes["9"] != 279 || st.Errors != 0 {
		t.Errorf("files %d games %d sizes %v errors %d %v; want 34781, 34781, 19:34502 9:279, 0",
			st.Files, st.Games, st.Sizes, st.Errors, st.ErrorList)
	}
	if math.Abs(float64(st.Moves-wantMoves)) > 0.001*wantMoves {
		t.Errorf("moves %d; want %d within 0.1%%", st.Moves, wantMoves)
	}
	t.Logf("files %d games %d moves %d passes %d sizes %v results %v warnings %d",
		st.Files, st.Games, st.Moves, st.Passes, st.Sizes, st.Results, st.Warnings)
}
