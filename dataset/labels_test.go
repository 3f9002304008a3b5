package dataset

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadValueLabels(t *testing.T) {
	var l ValueLabels
	in := `{"game": "a.sgf#1", "move": 3, "winrate": 0.75}

{"key": "b.tar.gz:x/b.sgf#1@12", "judge": "tengen search 100 playouts", "mover": 0.2}
{"key": "b.tar.gz:x/b.sgf#1@14", "mover": null}
{"game": "a.sgf#1", "move": 3, "winrate": 0.5}
{"key": "b.tar.gz:x/b.sgf#1@16", "mo`
	if err := ReadValueLabels(&l, strings.NewReader(in), "in"); err != nil {
		t.Fatal(err)
	}
	if l.Len() != 2 || l.Games() != 2 {
		t.Fatalf("%d labels in %d games; want 2 in 2", l.Len(), l.Games())
	}
	if q, ok := l.Get("a.sgf#1", 3); !ok || q != 0.5 {
		t.Errorf("a move 3: %v %v; want the later label 0.5", q, ok)
	}
	if q, ok := l.Get("b.tar.gz:x/b.sgf#1", 12); !ok || q != 0.2 {
		t.Errorf("b move 12 (key form): %v %v; want 0.2", q, ok)
	}
	if _, ok := l.Get("b.tar.gz:x/b.sgf#1", 14); ok {
		t.Error("a null winrate became a label")
	}
	if !l.HasGame("a.sgf#1") || l.HasGame("c.sgf#1") {
		t.Error("HasGame")
	}
	for _, bad := range []string{
		"{\"game\": \"a\", \"move\": 0, \"winrate\": 0.5}\n",
		"{\"game\": \"a\", \"move\": 2, \"winrate\": 1.5}\n",
		"{\"key\": \"a#1\", \"mover\": 0.5}\n",
		"{\"key\": \"a#1@x\", \"mover\": 0.5}\n",
		"{\"winrate\": 0.5}\n",
		"{\"mover\": null}\n",
		"not json\n{\"game\": \"a\", \"move\": 2, \"winrate\": 0.5}\n",
		"{\"game\": \"a\", \"move\": 2, \"winrate\": 2}", // complete but wrong, even unterminated
	} {
		var l ValueLabels
		err := ReadValueLabels(&l, strings.NewReader(bad), "bad.jsonl")
		if err == nil || !strings.Contains(err.Error(), "bad.jsonl line 1") {
			t.Errorf("%q: error %v; want one naming bad.jsonl line 1", bad, err)
		}
	}
}

// TestExamplesLabels: a label mixes into the value target of its
// position only, as (1-w)*z + w*(2q-1), and stands alone where the game
// has no result; LabelsOnly keeps just the labelled positions.
func TestExamplesLabels(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"won.sgf":   "(;FF[4]SZ[9]RE[B+R];B[cc];W[ee];B[gg];W[cg])",
		"timed.sgf": "(;FF[4]SZ[9]RE[W+T];B[cc];W[ee];B[gg])",
		"other.sgf": "(;FF[4]SZ[9]RE[W+5];B[cc];W[ee])",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	won, timed := filepath.Join(dir, "won.sgf")+"#1", filepath.Join(dir, "timed.sgf")+"#1"
	labels := &ValueLabels{}
	for _, s := range []struct {
		game string
		move int
		q    float32
	}{{won, 2, 0.75}, {won, 3, 1}, {timed, 1, 0.25}} {
		if err := labels.Set(s.game, s.move, s.q); err != nil {
			t.Fatal(err)
		}
	}
	type got struct {
		v   float32
		has bool
	}
	run := func(cfg ExampleConfig) map[string]got {
		out := map[string]got{}
		if _, err := Examples(context.Background(), cfg, func(_ int, ex *Example) error {
			out[fmt.Sprint(filepath.Base(ex.GameID), " ", ex.MoveNum)] = got{ex.Value, ex.HasValue}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	cfg := ExampleConfig{Paths: []string{dir}, Seed: 1, Labels: labels, LabelWeight: 0.5}
	all := run(cfg)
	for k, want := range map[string]got{
		"won.sgf#1 1":   {1, true},                // Black's move, Black won, no label
		"won.sgf#1 2":   {0.5*-1 + 0.5*0.5, true}, // White lost; the search gave White 75%
		"won.sgf#1 3":   {0.5*1 + 0.5*1, true},    // Black won; the search agrees
		"timed.sgf#1 1": {-0.5, true},             // lost on time: the label alone
		"timed.sgf#1 2": {0, false},               // no result, no label
		"other.sgf#1 1": {-1, true},               // White won by 5
	} {
		if g, ok := all[k]; !ok || math.Abs(float64(g.v-want.v)) > 1e-6 || g.has != want.has {
			t.Errorf("%s: value %v (has %v); want %v (%v)", k, g.v, g.has, want.v, want.has)
		}
	}
	if len(all) != 9 {
		t.Errorf("%d examples; want 9", len(all))
	}
	cfg.UnlabelledDrop = 1
	cfg.Order = 3
	only := run(cfg)
	if len(only) != 3 {
		t.Errorf("labels only: %d examples %v; want the 3 labelled", len(only), only)
	}
	for k := range only {
		if all[k] != only[k] {
			t.Errorf("%s: %v alone, %v in the full stream", k, only[k], all[k])
		}
	}
	cfg.LabelWeight = 1
	if g := run(cfg)["won.sgf#1 2"]; g.v != 0.5 {
		t.Errorf("weight 1: value %v; want the label's 0.5", g.v)
	}
	// Dropping half the unlabelled positions: every labelled one stays,
	// about half of the 6 others go, and the same seed drops the same
	// ones. The draws depend on the game IDs, which hold the temporary
	// directory's name, so one seed keeps all 6 (or none) once in 64
	// runs: count over 20 seeds (120 unlabelled positions; 60 expected,
	// standard deviation 5.5).
	cfg.LabelWeight, cfg.UnlabelledDrop, cfg.Order = 0.5, 0.5, 0
	kept := 0
	for seed := range uint64(20) {
		cfg.Seed = seed + 1
		half := run(cfg)
		for k := range only {
			if g, ok := half[k]; !ok || g != all[k] {
				t.Errorf("drop 0.5, seed %d: labelled %s is %v (kept %v); want %v", cfg.Seed, k, g, ok, all[k])
			}
		}
		if !reflect.DeepEqual(half, run(cfg)) {
			t.Errorf("drop 0.5, seed %d: two runs differ", cfg.Seed)
		}
		kept += len(half) - len(only)
	}
	if kept < 30 || kept > 90 {
		t.Errorf("drop 0.5: %d of 120 unlabelled positions kept over 20 seeds; want about 60", kept)
	}
}

func TestLoadValueLabelsGzip(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "a.jsonl")
	if err := os.WriteFile(plain, []byte(`{"game": "g#1", "move": 7, "winrate": 0.25}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	fmt.Fprintln(zw, `{"key": "h#1@9", "mover": 0.5}`)
	zw.Close()
	zipped := filepath.Join(dir, "b.jsonl.gz")
	if err := os.WriteFile(zipped, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := LoadValueLabels(plain, zipped)
	if err != nil {
		t.Fatal(err)
	}
	if q, ok := l.Get("h#1", 9); !ok || q != 0.5 || l.Len() != 2 {
		t.Errorf("gzip label %v %v, %d labels; want 0.5 and 2", q, ok, l.Len())
	}
	if _, err := LoadValueLabels(plain + ".gz"); err == nil {
		t.Error("a missing file loaded")
	}
	if err := os.WriteFile(filepath.Join(dir, "c.gz"), []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadValueLabels(filepath.Join(dir, "c.gz")); err == nil || !strings.Contains(err.Error(), "c.gz") {
		t.Errorf("not gzip: %v", err)
	}
}
