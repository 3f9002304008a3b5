package main

import (
	"context"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/rollout"
)

// TestEngineOwnership: final_score's and final_status_list's ownership
// comes from heavy playouts on every size, whether or not the size's
// network has an ownership head, and sees dead stones as their
// opponent's; kata-analyze is offered where the network evaluator is
// used (--evaluator net, auto below 19x19) only when those networks have
// the heads, and with the hybrid only where it plays playouts.
func TestEngineOwnership(t *testing.T) {
	w, err := nets.NewWeights(tinyHeadsSpec(), rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "heads.weights")
	if err := nets.Save(path, w); err != nil {
		t.Fatal(err)
	}
	// A 7x7 network without the heads beside it (the embedded 19x19 one
	// has them).
	spec7 := nets.DefaultSpec(7)
	for i := range spec7.Trunk {
		if spec7.Trunk[i].Kind == nets.KindConv {
			spec7.Trunk[i].Filters = 8
		}
	}
	w7, err := nets.NewWeights(spec7, rand.New(rand.NewPCG(7, 8)))
	if err != nil {
		t.Fatal(err)
	}
	if w7.Spec.HasOwnership() {
		t.Fatal("the default spec has an ownership head")
	}
	path7 := filepath.Join(dir, "plain7.weights")
	if err := nets.Save(path7, w7); err != nil {
		t.Fatal(err)
	}
	eng, err := newEngine(engineConfig{threads: 1, visits: 4, seed: 1, rollouts: 1, maxBatch: 4, lambda: -1, evaluator: "net", weights: []string{path, path7}}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	// A finished 7x7 game: two dead white stones in Black's territory
	// (B6, B1), a dead black stone in White's (F6).
	p, err := board.ParseDiagram(`
		. . X O . . .
		. O X O . X .
		. . X O . . .
		X X X O . . .
		. . X O O O O
		. . X O . . .
		. O X O . . .`)
	if err != nil {
		t.Fatal(err)
	}
	g7, _ := board.NewGame(7, 7, board.DefaultRules())
	for _, c := range []board.Color{board.Black, board.White} {
		var pts []board.Point
		for _, pt := range board.Points(7) {
			if p.At(pt) == c {
				pts = append(pts, pt)
			}
		}
		if err := g7.Setup(c, pts); err != nil {
			t.Fatal(err)
		}
	}
	own, err := eng.Ownership(context.Background(), g7)
	if err != nil || len(own) != 49 {
		t.Fatalf("7x7: %d values, %v", len(own), err)
	}
	for v, want := range map[string]float32{"B6": 1, "B1": 1, "F6": -1, "C4": 1, "D4": -1} {
		pt, _ := board.ParseGTP(v, 7)
		x, y := pt.XY()
		if o := own[y*7+x]; o*want < 0.7 {
			t.Errorf("ownership of %s = %.2f; want near %v", v, o, want)
		}
	}
	// On 9x9, where the network has an ownership head, the judge is the
	// playouts all the same.
	g, _ := board.NewGame(9, 7, board.DefaultRules())
	pt, _ := board.ParseGTP("E5", 9)
	g.Play(board.Black, pt)
	own, err = eng.Ownership(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	want := rollout.DefaultPolicy().Ownership(g.Position(), g.ToMove(), g.Komi(), judgePlayouts, rand.New(rand.NewPCG(1, 0x6f776e)))
	if !slices.Equal(own, want) {
		t.Errorf("9x9 ownership is not the heavy playouts'")
	}
	if _, ok := eng.nets[7]; !ok || eng.Estimates() {
		t.Error("estimates offered with a 7x7 network that has no heads")
	}
	delete(eng.nets, 7) // only heads networks (ours and the embedded 19x19): estimates
	if !eng.Estimates() {
		t.Error("--evaluator net with only heads networks: no estimates")
	}

	// The same networks under each evaluator: auto is the net evaluator
	// below 19x19, so the headless 7x7 network has no estimates there;
	// the playouts, and the hybrid wherever it plays them (refining from
	// --expand-at, or lambda above 0), have their own; the hybrid at
	// lambda 0 without refining has none, heads or not.
	for _, tc := range []struct {
		evaluator     string
		lambda        float64
		expandAt      int
		headless      bool // with the headless 7x7 network
		onlyHeadsNets bool // without it
	}{
		{"auto", -1, -1, false, true},
		{"net", -1, -1, false, true},
		{"hybrid", 0, 0, false, false},
		{"hybrid", 0, -1, true, true},
		{"hybrid", -1, 0, true, true},
		{"playouts", -1, -1, true, true},
	} {
		eng, err := newEngine(engineConfig{threads: 1, visits: 4, seed: 1, rollouts: 1, maxBatch: 4, lambda: tc.lambda, expandAt: tc.expandAt, evaluator: tc.evaluator, weights: []string{path, path7}}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if got := eng.Estimates(); got != tc.headless {
			t.Errorf("--evaluator %s --lambda %v --expand-at %d with a headless 7x7 network: estimates %v; want %v", tc.evaluator, tc.lambda, tc.expandAt, got, tc.headless)
		}
		delete(eng.nets, 7)
		if got := eng.Estimates(); got != tc.onlyHeadsNets {
			t.Errorf("--evaluator %s --lambda %v --expand-at %d with only heads networks: estimates %v; want %v", tc.evaluator, tc.lambda, tc.expandAt, got, tc.onlyHeadsNets)
		}
		eng.Close()
	}
}
