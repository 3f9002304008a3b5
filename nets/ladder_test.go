package nets

import (
	"slices"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// ladderDiagram: White E5 with Black D5, E4 and F4 around it. Black's
// atari at E6 chases it up and to the right to the edge unless a stone
// stands at H8 (the %s); the atari at F5 lets it out at E6.
const ladderDiagram = `
	. . . . . . . . .
	. . . . . . . %s .
	. . . . . . . . .
	. . . . . . . . .
	. . . X O . . . .
	. . . . X X . . .
	. . . . . . . . .
	. . . . . . . . .
	. . . . . . . . .`

func diagram(t *testing.T, s string) *board.Position {
	t.Helper()
	p, err := board.ParseDiagram(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// diagramGame returns a game (komi 7.5, default rules) whose board is the
// diagram's stones, set up, with toMove to play.
func diagramGame(t *testing.T, s string, toMove board.Color) *board.Game {
	t.Helper()
	p := diagram(t, s)
	g, err := board.NewGame(p.Size(), 7.5, board.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	var black, white []board.Point
	for _, pt := range board.Points(p.Size()) {
		switch p.At(pt) {
		case board.Black:
			black = append(black, pt)
		case board.White:
			white = append(white, pt)
		}
	}
	if err := g.Setup(board.Black, black); err != nil {
		t.Fatal(err)
	}
	if err := g.Setup(board.White, white); err != nil {
		t.Fatal(err)
	}
	g.SetToMove(toMove)
	return g
}

func vertices(p *board.Position, pts []board.Point) []string {
	out := []string{}
	for _, pt := range pts {
		out = append(out, pt.GTP(p.Size()))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func ladderMoves(p *board.Position, c board.Color, captures bool) []string {
	var pts []board.Point
	mark := func(pt board.Point) { pts = append(pts, pt) }
	if captures {
		LadderCaptures(p, c, mark)
	} else {
		LadderEscapes(p, c, mark)
	}
	return vertices(p, pts)
}

func play(t *testing.T, p *board.Position, c board.Color, v string) {
	t.Helper()
	pt, err := board.ParseGTP(v, p.Size())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Play(c, pt); err != nil {
		t.Fatalf("Play(%s) = %v", v, err)
	}
}

// TestLadders reads hand-made ladders, working and broken, from both
// sides: Black's ladder captures before the atari, White's escapes after it.
func TestLadders(t *testing.T) {
	for _, tc := range []struct {
		name, diagram     string
		atari             string   // Black's atari before White's escapes are read
		captures, escapes []string // Black's ladder captures; White's escapes after the atari
	}{
		{"works", strings.Replace(ladderDiagram, "%s", ".", 1), "E6", []string{"E6"}, []string{}},
		{"broken by a white stone on its path", strings.Replace(ladderDiagram, "%s", "O", 1), "E6", []string{}, []string{"F5"}},
		{"black stone on its path", strings.Replace(ladderDiagram, "%s", "X", 1), "E6", []string{"E6"}, []string{}},
		{
			// D5 is in atari (C5, D6 white): after the atari at E6 White
			// captures it at D4, or extends at F5 and captures later.
			"prey captures an attacker stone", `
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . O . . . . .
			. . O X O . . . .
			. . . . X X . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, "E6", []string{}, []string{"D4", "F5"},
		},
		{
			// An open position: the extension has three liberties.
			"no ladder in the open", `
			. . . . . . .
			. . . . . . .
			. . . . . . .
			. . X O . . .
			. . . X . . .
			. . . . . . .
			. . . . . . .`, "", []string{}, nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := diagram(t, tc.diagram)
			if got := ladderMoves(p, board.Black, true); !slices.Equal(got, tc.captures) {
				t.Errorf("Black's ladder captures %v; want %v\n%s", got, tc.captures, p)
			}
			if tc.atari == "" {
				return
			}
			play(t, p, board.Black, tc.atari)
			if got := ladderMoves(p, board.White, false); !slices.Equal(got, tc.escapes) {
				t.Errorf("after %s: White's ladder escapes %v; want %v\n%s", tc.atari, got, tc.escapes, p)
			}
		})
	}
}

// TestLadderEscapes: extending into the open and capturing a chain in
// atari both save a chain; extending into a self-atari does not.
func TestLadderEscapes(t *testing.T) {
	for _, tc := range []struct {
		name, diagram string
		want          []string
	}{
		{
			// White D3 in atari (liberty D2); Black D4 in atari too
			// (liberty D5): both extending and capturing save D3.
			"extend or capture", `
			. . . . . . .
			. . . . . . .
			. . . . . . .
			. . O X O . .
			. . X O X . .
			. . . . . . .
			. . . . . . .`, []string{"D2", "D5"},
		},
		{
			// White E5 in atari at F5, where it would have one liberty.
			"extension is a self-atari", `
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . X X . . .
			. . . X O . X . .
			. . . . X . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, []string{},
		},
		{
			"nothing in atari", `
			. . . . .
			. O . . .
			. . . X .
			. . . . .
			. . . . .`, []string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := diagram(t, tc.diagram)
			if got := ladderMoves(p, board.White, false); !slices.Equal(got, tc.want) {
				t.Errorf("White's ladder escapes %v; want %v\n%s", got, tc.want, p)
			}
		})
	}
}

// TestLadderLong: a ladder across a 19x19 board is read within the budget,
// and a stone on its far end breaks it.
func TestLadderLong(t *testing.T) {
	p, err := board.NewPosition(19)
	if err != nil {
		t.Fatal(err)
	}
	// The ladder diagram's shape in the lower left corner of 19x19: it
	// runs up and to the right across the whole board.
	for _, s := range []struct {
		c board.Color
		v string
	}{{board.White, "C3"}, {board.Black, "B3"}, {board.Black, "C2"}, {board.Black, "D2"}} {
		play(t, p, s.c, s.v)
	}
	if got := ladderMoves(p, board.Black, true); !slices.Equal(got, []string{"C4"}) {
		t.Errorf("ladder captures %v; want [C4]\n%s", got, p)
	}
	play(t, p, board.White, "R17") // a breaker on the diagonal
	if got := ladderMoves(p, board.Black, true); !slices.Equal(got, []string{}) {
		t.Errorf("with a breaker: ladder captures %v; want none\n%s", got, p)
	}
}

// TestEncodeV2: the first 29 planes of FeaturesV2 are FeaturesV1's, the
// ladder planes follow the symmetry, and encoding does not allocate once
// warm.
func TestEncodeV2(t *testing.T) {
	g := diagramGame(t, strings.Replace(ladderDiagram, "%s", ".", 1), board.Black)
	const area = 81
	v2 := MustFeatureSet(FeaturesV2)
	if v2.Planes() != NumPlanesV2 {
		t.Fatalf("v2 has %d planes", v2.Planes())
	}
	e6, _ := board.ParseGTP("E6", 9)
	for sym := range Symmetry(NumSymmetries) {
		v1 := make([]float32, NumPlanesV1*area)
		Encode(g, sym, v1)
		got := make([]float32, NumPlanesV2*area)
		for i := range got {
			got[i] = -7 // every value must be written
		}
		v2.Encode(g, sym, got)
		if !slices.Equal(got[:NumPlanesV1*area], v1) {
			t.Fatalf("sym %d: the v1 planes of v2 differ from v1", sym)
		}
		x, y := e6.XY()
		x, y = sym.Apply(x, y, 9)
		for i, v := range got[PlaneLadderCapture*area : PlaneLadderEscape*area] {
			want := float32(0)
			if i == y*9+x {
				want = 1
			}
			if v != want {
				t.Fatalf("sym %d: ladder capture plane at %d = %v; want %v", sym, i, v, want)
			}
		}
		for i, v := range got[PlaneLadderEscape*area:] {
			if v != 0 {
				t.Fatalf("sym %d: ladder escape plane at %d = %v; want 0", sym, i, v)
			}
		}
	}
	if raceEnabled {
		return // the race detector allocates, and drops pooled readers
	}
	buf := make([]float32, NumPlanesV2*area)
	s := g.State()
	if a := testing.AllocsPerRun(20, func() { v2.EncodeState(&s, 3, buf) }); a > 0 {
		t.Errorf("v2 EncodeState allocates %.1f times; want 0", a)
	}
}
