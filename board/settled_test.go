package board

import (
	"slices"
	"strings"
	"testing"
)

func gtpList(p *Position, pts []Point) string {
	s := make([]string, len(pts))
	for i, pt := range pts {
		s[i] = pt.GTP(p.Size())
	}
	slices.Sort(s)
	return strings.Join(s, " ")
}

func TestUnsettledMoves(t *testing.T) {
	cases := []struct {
		name    string
		diagram string
		c       Color
		want    string
	}{
		{"empty board", `
			. . .
			. . .
			. . .`, Black, "A1 A2 A3 B1 B2 B3 C1 C2 C3"},
		{"finished: walls with eyes", `
			. X O . .
			X X O O O
			. X O . O
			X X O O O
			. X O . O`, Black, ""},
		{"one neutral point", `
			. X . O .
			X X . O O
			. X . O .
			X X . O O
			. X . O .`, White, "C1 C2 C3 C4 C5"},
		{"open area: a lone white stone facing a wall", `
			. . . . .
			. . . . .
			. . O . .
			X X X X X
			. . . . .`, Black, "A3 A4 A5 B3 B4 B5 C4 C5 D3 D4 D5 E3 E4 E5"},
		{"dead white stone inside black's area", `
			. . . X .
			. O . X .
			. . . X .
			X X X X .
			. . . X .`, Black, "A3 A4 A5 B3 B5 C3 C4 C5"},
		{"seki liberties are self-atari", `
			. O X . X
			O O X X X
			X X O O O
			. X O . O
			X X O O O`, Black, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := mustDiagram(t, tc.diagram)
			got := gtpList(p, p.UnsettledMoves(tc.c, nil))
			if got != tc.want {
				t.Errorf("UnsettledMoves(%v) = %q, want %q\n%s", tc.c, got, tc.want, p)
			}
			if settled := len(p.UnsettledMoves(tc.c, nil)) == 0; settled != (tc.want == "") {
				t.Errorf("settled = %v, want %v", settled, tc.want == "")
			}
		})
	}
}

// TestLargestBoardCorner: the lower-right corner of a 25x25 board has its
// diagonal inside the letterboxed array (issue 12's model-based GTP test
// found IsEye reading past it in final_status_list).
func TestLargestBoardCorner(t *testing.T) {
	p, err := NewPosition(MaxSize)
	if err != nil {
		t.Fatal(err)
	}
	corner := PointAt(MaxSize-1, MaxSize-1)
	for _, pt := range []Point{PointAt(MaxSize-2, MaxSize-1), PointAt(MaxSize-1, MaxSize-2)} {
		if err := p.Play(Black, pt); err != nil {
			t.Fatal(err)
		}
	}
	if !p.IsEye(Black, corner) {
		t.Fatalf("corner %s is not Black's eye", corner.GTP(MaxSize))
	}
	if got := len(p.UnsettledMoves(White, nil)); got != 0 {
		t.Fatalf("%d unsettled moves where only Black has stones", got)
	}
	if got := len(p.SensibleMoves(White, nil)); got != MaxSize*MaxSize-3 {
		t.Fatalf("%d sensible moves for White; want every empty point but the corner", got)
	}
	if !p.PassLoses(White, 7.5) || p.PassLoses(Black, 7.5) {
		t.Fatal("PassLoses: Black owns the board by Tromp-Taylor")
	}
}

func TestAreaOwners(t *testing.T) {
	p := mustDiagram(t, `
		. X O .
		X X O O
		. X . O
		X X O .`)
	got := p.AreaOwners(nil)
	want := []int8{
		1, 1, -1, -1,
		1, 1, -1, -1,
		1, 1, 0, -1, // C2 touches B2: neutral
		1, 1, -1, -1,
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("AreaOwners = %v; want %v", got, want)
		}
	}
	b, w := p.AreaScore()
	sum := 0
	for _, o := range got {
		sum += int(o)
	}
	if sum != b-w {
		t.Fatalf("owners sum to %d; AreaScore %d-%d", sum, b, w)
	}
}

func TestMovesBeforePass(t *testing.T) {
	open := mustDiagram(t, `
		. X . O .
		X X . O O
		. X . O .
		X X . O O
		. X . O .`)
	if got := gtpList(open, open.MovesBeforePass(White, 0.5, nil)); got != "C1 C2 C3 C4 C5" {
		t.Errorf("neutral points: %q", got)
	}
	p, err := NewPosition(5)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Play(Black, PointAt(2, 2)); err != nil {
		t.Fatal(err)
	}
	// Black owns the board: White must play, Black may pass.
	if len(p.MovesBeforePass(White, 7.5, nil)) != 24 || len(p.MovesBeforePass(Black, 7.5, nil)) != 0 {
		t.Errorf("one black stone: White %d moves, Black %d", len(p.MovesBeforePass(White, 7.5, nil)), len(p.MovesBeforePass(Black, 7.5, nil)))
	}
}
