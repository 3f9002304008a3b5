package rollout

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
)

func priorsOf(t *testing.T, p *board.Position, c board.Color, last board.Point) []float32 {
	t.Helper()
	n := p.Size()
	priors := make([]float32, n*n+1)
	for i := range priors {
		priors[i] = -1 // every entry must be written
	}
	Priors(p, c, last, priors)
	for i, w := range priors {
		if w < 0 || w != w {
			t.Fatalf("prior %d = %v", i, w)
		}
	}
	return priors
}

func prior(t *testing.T, p *board.Position, priors []float32, v string) float32 {
	t.Helper()
	if v == "pass" {
		return priors[p.Size()*p.Size()]
	}
	x, y := vertex(t, p, v).XY()
	return priors[y*p.Size()+x]
}

func TestPriorsRanks(t *testing.T) {
	for _, tc := range []struct {
		name, diagram, last string
		c                   board.Color
		high, low           string // prior(high) > prior(low)
	}{
		{"capture over a plain move", `
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . X O X . . .
			. . . . X . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, "", board.Black, "E7", "G3"},
		{"big capture over small", `
			. . . . . . . . .
			. X . . . . . . .
			X O X . . . X X .
			. . . . . X O O .
			. . . . . . X X .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, "", board.Black, "J6", "B5"},
		{"working escape over a plain move", `
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . O . . . . .
			. . O X O . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, "E5", board.Black, "D4", "G8"},
		{"a plain move over a laddered escape", strings.Replace(ladderDiagram, "%s", ".", 1), "E6", board.White, "B2", "F5"},
		{"escape when the ladder is broken", strings.Replace(ladderDiagram, "%s", "O", 1), "E6", board.White, "F5", "B2"},
		{"atari that catches over a plain move", `
			. . . . . . .
			. . . . . . .
			. . . . . . .
			. . . . . . .
			. . . . . . .
			. . X X X . .
			. . . O . . .`, "D1", board.Black, "E1", "D5"},
		{"catching four stones over catching one", catchDiagram, "", board.Black, "A1", "J7"},
		{"saving three stones over saving one", saveDiagram, "", board.Black, "F4", "H7"},
		{"nakade over a plain move", `
			. . . O X . . . .
			O O O O X . . . .
			X X X X X . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, "D9", board.Black, "B9", "F5"},
		{"a plain move over a self-atari", `
			. . . . . . .
			. . . . . . .
			. . . . . . .
			O O O O O O O
			O X X X X X O
			O . O O O . O
			O O O O O O O`, "", board.Black, "D6", "B2"},
		{"a plain move over filling one's eye", `
			. . . . . . .
			. . . . . . .
			. . . . . . .
			X X X . . . .
			. X . X . . .
			X X X X . . .
			. . . . . . .`, "", board.Black, "E5", "C3"},
		{"third line over first line early", `
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . X . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, "E5", board.White, "C3", "C1"},
		{"pattern move over a plain move", `
			. . . . . . .
			. . . . . . .
			. . X O X . .
			. . . . . . .
			. . . . . . .
			. . . . . . .
			. . . . . . .`, "D5", board.Black, "D4", "F2"},
		{"pass is small", `
			. . . . .
			. . X . .
			. . . . .
			. . O . .
			. . . . .`, "C2", board.Black, "A5", "pass"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := parse(t, tc.diagram)
			priors := priorsOf(t, p, tc.c, vertex(t, p, tc.last))
			hi, lo := prior(t, p, priors, tc.high), prior(t, p, priors, tc.low)
			if hi <= lo {
				t.Fatalf("prior %s = %v, %s = %v; want the first larger\n%s", tc.high, hi, tc.low, lo, p)
			}
		})
	}
}

func TestPriorsIllegalAndPass(t *testing.T) {
	// Black takes a ko at C3: White may not retake at B3; C3 is
	// occupied; A5 would be suicide for White.
	p := parse(t, `
		. X . . .
		X X O . .
		X O . O .
		. X O . .
		. . . . .`)
	if err := p.Play(board.Black, vertex(t, p, "C3")); err != nil {
		t.Fatal(err)
	}
	if p.Ko() != vertex(t, p, "B3") {
		t.Fatalf("ko at %s; want B3\n%s", gtp(p, p.Ko()), p)
	}
	priors := priorsOf(t, p, board.White, vertex(t, p, "C3"))
	for _, v := range []string{"C3", "A5", "B3"} {
		if w := prior(t, p, priors, v); w != 0 {
			t.Errorf("prior of illegal %s = %v; want 0\n%s", v, w, p)
		}
	}
	if w := prior(t, p, priors, "pass"); w != priorPass {
		t.Errorf("pass prior %v; want %v", w, priorPass)
	}
	if w := prior(t, p, priorsOf(t, p, board.White, board.Pass), "pass"); w != priorPassAfter {
		t.Errorf("pass prior after a pass %v; want %v", w, priorPassAfter)
	}
}

// TestPriorsNoMove: after a setup (no last move) pass stays small; after
// the opponent's pass it weighs as a plain move.
func TestPriorsNoMove(t *testing.T) {
	pos, err := board.ParseDiagram(`
		. . . . .
		. X . . .
		. . . . .
		. . . O .
		. . . . .`)
	if err != nil {
		t.Fatal(err)
	}
	pri := make([]float32, 26)
	Priors(pos, board.Black, NoMove, pri)
	quiet := pri[2*5+2] // C3
	if pri[25] >= quiet {
		t.Errorf("no last move: pass prior %v not below a quiet move %v", pri[25], quiet)
	}
	Priors(pos, board.Black, board.Pass, pri)
	if pri[25] < pri[2*5+2] {
		t.Errorf("after a pass: pass prior %v below a quiet move %v", pri[25], pri[2*5+2])
	}
	var p board.Position = *pos
	if r := DefaultPolicy().Playout(&p, board.Black, NoMove, 0.5, 0, rand.New(rand.NewPCG(1, 2)), nil); r.Moves == 0 {
		t.Error("a playout from NoMove played nothing")
	}
}
