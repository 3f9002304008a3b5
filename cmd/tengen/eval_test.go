package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/dataset"
	"github.com/tengen-go/tengen/nets"
)

// tinyWeights saves a randomly initialised DefaultSpec(size) shrunk to 8
// filters and returns its path.
func tinyWeights(t *testing.T, size int, seed uint64) string {
	t.Helper()
	return saveTiny(t, tinySpec(size), seed)
}

// tinySpec is the default spec for size with 8-filter convolutions and a
// 16-unit value layer.
func tinySpec(size int) nets.Spec {
	s := nets.DefaultSpec(size)
	for i := range s.Trunk {
		if s.Trunk[i].Kind == nets.KindConv {
			s.Trunk[i].Filters = 8
		}
	}
	s.Value.Hidden = 16
	return s
}

// saveTiny writes random weights of spec s to a temporary file.
func saveTiny(t *testing.T, s nets.Spec, seed uint64) string {
	t.Helper()
	size := s.BoardSize
	w, err := nets.NewWeights(s, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), fmt.Sprintf("tiny%d.tgw", size))
	if err := nets.Save(path, w); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeRandomGame writes a random game of n moves (some passes) and
// returns its numbers of non-pass moves and passes.
func writeRandomGame(t *testing.T, path string, size, n int, re string, seed uint64) (moves, passes int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 2))
	g, err := board.NewGame(size, 6.5, board.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "(;GM[1]FF[4]SZ[%d]KM[6.5]RE[%s]", size, re)
	var legal []board.Point
	for range n {
		c := g.ToMove()
		legal = g.LegalMoves(c, legal)
		pt := board.Pass
		if len(legal) > 0 && rng.IntN(12) != 0 {
			pt = legal[rng.IntN(len(legal))]
			moves++
		} else {
			passes++
		}
		if err := g.Play(c, pt); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, ";%s[%s]", map[board.Color]string{board.Black: "B", board.White: "W"}[c], pt.SGF())
	}
	b.WriteString(")\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return moves, passes
}

type evalSet struct {
	dir           string
	ids           []string
	moves, passes []int
}

func newEvalSet(t *testing.T) *evalSet {
	t.Helper()
	s := &evalSet{dir: t.TempDir()}
	for i, re := range []string{"B+R", "W+2.5", "B+T", "W+R"} {
		path := filepath.Join(s.dir, fmt.Sprintf("g%d.sgf", i))
		m, p := writeRandomGame(t, path, 9, 40+30*i, re, uint64(i))
		s.ids = append(s.ids, dataset.GameID(path, 1))
		s.moves = append(s.moves, m)
		s.passes = append(s.passes, p)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "h-bad.sgf"), []byte("(;GM[1]SZ[9];B[ee"), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

func runEvalJSON(t *testing.T, args ...string) (map[string]any, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(context.Background(), append([]string{"eval", "--json"}, args...), nil, &out, &errb); err != nil {
		t.Fatalf("eval %v: %v\n%s", args, err, errb.String())
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("eval output is not one JSON object: %v\n%s", err, out.String())
	}
	return m, errb.String()
}

func TestEvalJSON(t *testing.T) {
	s := newEvalSet(t)
	w := tinyWeights(t, 9, 1)
	out := filepath.Join(t.TempDir(), "positions.jsonl")
	m, stderr := runEvalJSON(t, "--weights", w, "--positions-out", out, "--sgf", s.dir)
	for _, k := range []string{"games", "positions", "top1", "top3", "top5", "top1_ci", "top3_ci", "top5_ci", "buckets",
		"value_accuracy", "value_mse", "passes", "errors", "error_list", "skipped_games", "positions_per_s"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	moves, passes := 0, 0
	for i := range s.moves {
		moves += s.moves[i]
		passes += s.passes[i]
	}
	if m["games"] != float64(len(s.ids)) || m["positions"] != float64(moves) || m["passes"] != float64(passes) || m["errors"] != 1.0 {
		t.Errorf("games %v positions %v passes %v errors %v; want %d %d %d 1", m["games"], m["positions"], m["passes"], m["errors"], len(s.ids), moves, passes)
	}
	for _, k := range []string{"top1", "top3", "top5", "value_accuracy"} {
		if v, _ := m[k].(float64); v < 0 || v > 1 {
			t.Errorf("%s = %v; want a fraction", k, m[k])
		}
	}
	if ci, _ := m["top1_ci"].([]any); len(ci) != 2 {
		t.Errorf("top1_ci = %v; want [lo, hi]", m["top1_ci"])
	}
	if b, _ := m["buckets"].([]any); len(b) != 4 {
		t.Errorf("buckets = %v; want 4", m["buckets"])
	} else {
		for _, bk := range b {
			bm, _ := bk.(map[string]any)
			for _, k := range []string{"value_accuracy", "value_mse", "value_positions"} {
				if _, ok := bm[k]; !ok {
					t.Errorf("bucket %v lacks %q", bm["moves"], k)
				}
			}
		}
	}
	// No heads and no --final: no ownership or score numbers.
	for _, k := range []string{"ownership_accuracy", "score_mae", "playout_ownership_accuracy", "final_games"} {
		if _, ok := m[k]; ok {
			t.Errorf("JSON has %q for a network without the heads", k)
		}
	}
	if el, _ := m["error_list"].([]any); len(el) != 1 || !strings.Contains(fmt.Sprint(el[0]), "h-bad.sgf") {
		t.Errorf("error_list = %v; want h-bad.sgf", m["error_list"])
	}
	if !strings.Contains(stderr, "h-bad.sgf") {
		t.Errorf("stderr does not report the bad file:\n%s", stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p struct {
			Game   string  `json:"game"`
			Move   int     `json:"move"`
			Played string  `json:"played"`
			Rank   int     `json:"rank"`
			Prob   float64 `json:"prob"`
		}
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("line %d: %v", lines+1, err)
		}
		if p.Game == "" || p.Move < 1 || p.Played == "" || p.Rank < 1 || p.Prob <= 0 || p.Prob > 1 {
			t.Fatalf("line %d: %s", lines+1, sc.Bytes())
		}
		lines++
	}
	if lines != moves {
		t.Errorf("%d position lines; want %d", lines, moves)
	}
}

func TestEvalListAndMaxGames(t *testing.T) {
	s := newEvalSet(t)
	w := tinyWeights(t, 9, 2)
	list := filepath.Join(t.TempDir(), "validation.txt")
	os.WriteFile(list, []byte(s.ids[1]+"\n\n"+s.ids[3]+"\n"), 0o644)
	m, _ := runEvalJSON(t, "--weights", w, "--list", list, "--symmetries", "8", s.dir)
	if want := s.moves[1] + s.moves[3]; m["games"] != 2.0 || m["positions"] != float64(want) {
		t.Errorf("--list: games %v positions %v; want 2 %d", m["games"], m["positions"], want)
	}
	m, _ = runEvalJSON(t, "--weights", w, "--max-games", "1", s.dir)
	if m["games"] != 1.0 || m["positions"] != float64(s.moves[0]) {
		t.Errorf("--max-games 1: games %v positions %v; want 1 %d", m["games"], m["positions"], s.moves[0])
	}
	// No network for 9x9: every game skipped.
	m, _ = runEvalJSON(t, "--weights", tinyWeights(t, 7, 3), s.dir)
	if m["games"] != 0.0 || m["skipped_games"] != float64(len(s.ids)) {
		t.Errorf("7x7 network: games %v skipped %v; want 0 %d", m["games"], m["skipped_games"], len(s.ids))
	}
}

func TestEvalText(t *testing.T) {
	s := newEvalSet(t)
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"eval", "--weights", tinyWeights(t, 9, 4), s.dir}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1-30", "31-100", "201+", "all", "top-1", "positions/s", "value"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestEvalUsage(t *testing.T) {
	w := tinyWeights(t, 9, 5)
	for _, args := range [][]string{
		{"eval", "--weights", w},
		{"eval", "--weights", w, "--symmetries", "4", "x.sgf"},
		{"eval", "--weights", w, "--max-games", "-1", "x.sgf"},
		{"eval", "--weights", w, "--feature-playouts", "-1", "x.sgf"},
		{"eval", "x.sgf"}, // no network embedded yet
	} {
		var out bytes.Buffer
		err := run(context.Background(), args, nil, &out, &out)
		if ws, _ := embeddedNets(); len(ws) > 0 && len(args) == 2 {
			continue
		}
		if err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err %v (exit %d); want a usage error", args, err, exitCode(err))
		}
	}
}

// TestEvalHeads: a network with ownership and score heads gets its
// ownership accuracy and score error measured on a counted game, beside
// the playout baseline's; without the heads only the baseline is there.
func TestEvalHeads(t *testing.T) {
	dir := t.TempDir()
	game := "(;FF[4]SZ[9]KM[7]RE[B+2]"
	for y := range 9 {
		game += fmt.Sprintf(";B[e%c];W[f%c]", 'a'+y, 'a'+y)
	}
	game += ";B[];W[])"
	if err := os.WriteFile(filepath.Join(dir, "counted.sgf"), []byte(game), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := nets.DefaultSpec(9)
	for i := range spec.Trunk {
		if spec.Trunk[i].Kind == nets.KindConv {
			spec.Trunk[i].Filters = 8
		}
	}
	spec.Value = nets.ValueHead{Kind: nets.ValuePool, Filters: 4, Hidden: 8}
	spec.Ownership.Filters = 2
	spec.Score.Hidden = 8
	w, err := nets.NewWeights(spec, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "heads.weights")
	if err := nets.Save(path, w); err != nil {
		t.Fatal(err)
	}
	m, _ := runEvalJSON(t, "--weights", path, "--final-lead", "6", "--baseline-playouts", "30", "--sgf", dir)
	for _, k := range []string{"ownership_accuracy", "score_mae", "playout_ownership_accuracy", "playout_score_mae"} {
		if v, ok := m[k].(float64); !ok || v < 0 {
			t.Errorf("%s = %v; want a measure", k, m[k])
		}
	}
	if m["final_games"] != 1.0 || m["final_lead"] != 6.0 {
		t.Errorf("final games %v, lead %v; want 1, 6", m["final_games"], m["final_lead"])
	}
	m, _ = runEvalJSON(t, "--weights", tinyWeights(t, 9, 1), "--final", "--final-lead", "6", "--baseline-playouts", "30", "--sgf", dir)
	if _, ok := m["ownership_accuracy"]; ok {
		t.Errorf("ownership_accuracy for a network without the head")
	}
	if _, ok := m["playout_ownership_accuracy"]; !ok {
		t.Errorf("no playout baseline with --final")
	}
}
