package board

import (
	"math/rand/v2"
	"testing"
)

func TestOwnershipDeadStones(t *testing.T) {
	// The white stone at B6 sits in black's territory and is dead.
	p := mustDiagram(t, `
		. . X O . . .
		. O X O . . .
		. . X O . . .
		X X X O . . .
		. . X O . . .
		. . X O . . .
		. . X O . . .`)
	own := p.Ownership(Black, rand.New(rand.NewPCG(1, 2)), 300, nil)
	at := func(v string) float32 {
		pt := mustGTP(t, v, 7)
		for i, q := range Points(7) {
			if q == pt {
				return own[i]
			}
		}
		t.Fatalf("no point %s", v)
		return 0
	}
	// Light playouts invade large open areas now and then, so the wide
	// white side is only asked for a clear majority.
	for v, want := range map[string]float32{"B6": 0.6, "A7": 0.6, "A1": 0.6, "C4": 0.6, "D4": -0.6, "G7": -0.3, "F2": -0.3} {
		if got := at(v); got*want < want*want {
			t.Errorf("ownership at %s = %v; want near %v", v, got, want)
		}
	}
}
