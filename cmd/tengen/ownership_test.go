package main

import (
	"context"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/nets"
)

// TestEngineOwnershipFromHead: final_score's ownership comes from the
// network's ownership head (the mean of the 8 symmetries, for Black)
// where the size's network has one, from the server's playouts (nil)
// where it has none; kata-analyze is offered with --evaluator net only
// when every network has the heads.
func TestEngineOwnershipFromHead(t *testing.T) {
	spec := nets.DefaultSpec(9)
	for i := range spec.Trunk {
		if spec.Trunk[i].Kind == nets.KindConv {
			spec.Trunk[i].Filters = 8
		}
	}
	spec.Value = nets.ValueHead{Kind: nets.ValuePool, Filters: 4, Hidden: 8}
	spec.Ownership = nets.OwnershipHead{Filters: 4}
	spec.Score = nets.ScoreHead{Hidden: 8}
	w, err := nets.NewWeights(spec, rand.New(rand.NewPCG(5, 6)))
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
	g, _ := board.NewGame(9, 7, board.DefaultRules())
	pt, _ := board.ParseGTP("E5", 9)
	g.Play(board.Black, pt)
	own, err := eng.Ownership(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	if len(own) != 81 {
		t.Fatalf("ownership of %d points", len(own))
	}
	distinct := map[float32]bool{}
	for _, o := range own {
		if o < -1 || o > 1 {
			t.Fatalf("ownership %v outside [-1, 1]", o)
		}
		distinct[o] = true
	}
	if len(distinct) < 10 {
		t.Errorf("%d distinct ownership values: not the head's output", len(distinct))
	}
	// White to move must give the same Black-view ownership (the head
	// answers for the side to move; the engine turns it to Black's).
	g2 := g.Clone()
	g2.SetToMove(board.White)
	if own2, err := eng.Ownership(context.Background(), g2); err != nil || len(own2) != 81 {
		t.Fatalf("white to move: %d values, %v", len(own2), err)
	}
	// 7x7: a network without an ownership head: nil, no error.
	g7, _ := board.NewGame(7, 7, board.DefaultRules())
	if own, err := eng.Ownership(context.Background(), g7); own != nil || err != nil {
		t.Errorf("7x7 without an ownership head: %d values, %v", len(own), err)
	}
	if _, ok := eng.nets[7]; !ok || eng.Estimates() {
		t.Error("estimates offered with a 7x7 network that has no heads")
	}
	delete(eng.nets, 7) // only heads networks (ours and the embedded 19x19): estimates
	if !eng.Estimates() {
		t.Error("--evaluator net with only heads networks: no estimates")
	}
}
