package rollout

import (
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// A finished 7x7 game: Black's wall and territory on the left with two
// dead white stones inside (B6, B1), White's on the right with a dead
// black stone inside (F6).
const finished7 = `
	. . X O . . .
	. O X O . X .
	. . X O . . .
	X X X O . . .
	. . X O O O O
	. . X O . . .
	. O X O . . .`

// TestOwnership: heavy playouts see the dead stones as their opponent's
// and the living walls and territories as their own; the result depends
// on the seed alone.
func TestOwnership(t *testing.T) {
	p, err := board.ParseDiagram(finished7)
	if err != nil {
		t.Fatal(err)
	}
	at := func(own []float32, v string) float32 {
		pt, err := board.ParseGTP(v, 7)
		if err != nil {
			t.Fatal(err)
		}
		x, y := pt.XY()
		return own[y*7+x]
	}
	own := DefaultPolicy().Ownership(p, board.Black, 7, 200, rand.New(rand.NewPCG(1, 2)))
	if len(own) != 49 {
		t.Fatalf("%d points", len(own))
	}
	for _, c := range []struct {
		v      string
		lo, hi float32
	}{
		{"C4", 0.9, 1},   // Black's wall
		{"A5", 0.9, 1},   // Black's territory
		{"D4", -1, -0.9}, // White's wall
		{"G4", -1, -0.9}, // White's territory
		{"B6", 0.7, 1},   // a dead white stone: Black's point
		{"B1", 0.7, 1},   // the other
		{"F6", -1, -0.7}, // the dead black stone: White's point
	} {
		if o := at(own, c.v); o < c.lo || o > c.hi {
			t.Errorf("ownership of %s = %.2f; want [%.1f, %.1f]", c.v, o, c.lo, c.hi)
		}
	}
	again := DefaultPolicy().Ownership(p, board.Black, 7, 200, rand.New(rand.NewPCG(1, 2)))
	for i := range own {
		if own[i] != again[i] {
			t.Fatalf("the same seed gave %v then %v at point %d", own[i], again[i], i)
		}
	}
	if got := DefaultPolicy().Ownership(p, board.White, 7, 0, rand.New(rand.NewPCG(1, 2))); len(got) != 49 {
		t.Errorf("n = 0: %d points", len(got))
	}
}

func BenchmarkOwnership19(b *testing.B) {
	p, _ := board.NewPosition(19)
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 16
	for b.Loop() {
		DefaultPolicy().Ownership(p, board.Black, 7.5, n, rng)
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "playouts/s")
}
