package rollout

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// randomPositions returns positions from playouts of both policies cut at
// random lengths, on several sizes.
func randomPositions(t testing.TB, n int, seed uint64) []*board.Position {
	rng := rand.New(rand.NewPCG(seed, 7))
	var out []*board.Position
	sizes := []int{5, 7, 9, 13}
	for i := range n {
		size := sizes[i%len(sizes)]
		p, _ := board.NewPosition(size)
		pol := DefaultPolicy()
		if i%3 == 0 {
			pol = LightPolicy()
		}
		pol.Playout(p, board.Black, board.Pass, 0, 1+rng.IntN(3*size*size/2), rng, nil)
		out = append(out, p)
	}
	return out
}

// The cheap move checks agree with the board's exact ones.
func TestCheckAgreesWithBoard(t *testing.T) {
	for _, p := range randomPositions(t, 120, 1) {
		tc := newTactics(p)
		for _, pt := range p.EmptyPoints() {
			for _, c := range []board.Color{board.Black, board.White} {
				kind, size := tc.check(c, pt)
				info := p.MoveInfo(c, pt)
				want := fine
				switch {
				case !p.Legal(c, pt):
					want = illegal
				case info.Liberties == 1:
					want = selfAtari
				}
				if kind != want {
					t.Fatalf("check(%s, %s) = %d; want %d (%+v)\n%s", c, gtp(p, pt), kind, want, info, p)
				}
				if kind == selfAtari && size != info.ChainSize && (size <= maxThrowIn || info.ChainSize <= maxThrowIn) {
					t.Fatalf("check(%s, %s) size %d; want %d\n%s", c, gtp(p, pt), size, info.ChainSize, p)
				}
				// A liberty the chain keeps, to leave out: one of a
				// neighbour chain's, or an empty neighbour.
				excl := board.Pass
				for _, d := range dirs {
					if n := pt + d; p.At(n) == c {
						var two [2]board.Point
						for _, l := range two[:tc.libsOf(p, n, 2, &two)] {
							if l != pt {
								excl = l
							}
						}
					} else if p.OnBoard(n) && p.At(n) == board.Empty && excl == board.Pass {
						excl = n
					}
				}
				for limit := 1; limit <= 4; limit++ {
					if got, want := tc.libsAfter(p, c, pt, board.Pass, limit), min(info.Liberties, limit); got != want {
						t.Fatalf("libsAfter(%s, %s, %d) = %d; want %d\n%s", c, gtp(p, pt), limit, got, want, p)
					}
					if excl == board.Pass || info.Liberties == 0 {
						continue
					}
					if got, want := tc.libsAfter(p, c, pt, excl, limit), min(info.Liberties-1, limit); got != want {
						t.Fatalf("libsAfter(%s, %s, not %s, %d) = %d; want %d\n%s", c, gtp(p, pt), gtp(p, excl), limit, got, want, p)
					}
				}
			}
		}
		for _, pt := range board.Points(p.Size()) {
			if p.At(pt) == board.Empty {
				continue
			}
			var two [2]board.Point
			n := tc.libsOf(p, pt, 2, &two)
			if want := min(p.Liberties(pt), 2); n != want {
				t.Fatalf("libsOf(%s) found %d; want %d\n%s", gtp(p, pt), n, want, p)
			}
			for _, l := range two[:n] {
				if p.At(l) != board.Empty || !p.OnBoard(l) {
					t.Fatalf("libsOf(%s) = %v: not empty\n%s", gtp(p, pt), two, p)
				}
			}
		}
	}
}

// The ladder: White E5 with Black D5, E4, F4 around it; Black's atari at
// E6 chases it to the edge, unless a white stone stands in the way.
const ladderDiagram = `
	. . . . . . . . .
	. . . . . . . %s .
	. . . . . . . . .
	. . . . X . . . .
	. . . X O . . . .
	. . . . X X . . .
	. . . . . . . . .
	. . . . . . . . .
	. . . . . . . . .`

// TestLadderChased: White's F5 ran out of the ladder of ladderDiagram
// (two liberties, F6 and G5). The playouts' Black continues it at G5
// every time, not four times in five: a ladder the attacker gives up
// is one the playouts escape (docs/strength.md, "Ladders run out").
func TestLadderChased(t *testing.T) {
	p := parse(t, strings.Replace(ladderDiagram, "%s", ".", 1))
	last := vertex(t, p, "F5")
	if err := p.Play(board.White, last); err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(200) {
		if got := gtp(p, firstMove(p, DefaultPolicy(), board.Black, last, seed)); got != "G5" {
			t.Fatalf("seed %d: Black played %s; want the ladder's G5\n%s", seed, got, p)
		}
	}
	// With a breaker on the ladder's path there is nothing to catch.
	b := parse(t, strings.Replace(ladderDiagram, "%s", "O", 1))
	if err := b.Play(board.White, last); err != nil {
		t.Fatal(err)
	}
	s := newRunner(b, DefaultPolicy(), 1)
	s.look(last)
	if got := s.catchMove(board.Black, last); got != board.Pass {
		t.Fatalf("catchMove = %s with the ladder broken; want pass\n%s", gtp(b, got), b)
	}
}

func TestLadder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		breaker string
		want    bool
	}{
		{"works", ".", true},
		{"broken by a stone on its path", "O", false},
		{"attacker stone on its path", "X", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := parse(t, strings.Replace(ladderDiagram, "%s", tc.breaker, 1))
			tt := newTactics(p)
			lib := tt.lib(vertex(t, p, "E5"))
			if got := gtp(p, lib); got != "F5" {
				t.Fatalf("liberty %s; want F5", got)
			}
			q := *p
			if got := tt.ladderCaptured(&q, board.White, lib); got != tc.want {
				t.Fatalf("ladderCaptured = %v; want %v\n%s", got, tc.want, p)
			}
		})
	}
	// Not a ladder at all: the extension has three liberties.
	p := parse(t, `
		. . . . .
		. . X . .
		. X O . .
		. . . . .
		. . . . .`)
	p.Play(board.Black, vertex(t, p, "C2"))
	tt := newTactics(p)
	q := *p
	if tt.ladderCaptured(&q, board.White, vertex(t, p, "D3")) {
		t.Fatalf("an open extension read as a ladder\n%s", p)
	}
	// A prey that can capture an attacker stone in atari next to it
	// is not read as captured: Black's D5 is in atari (C5, D6 white).
	p = parse(t, strings.Replace(ladderDiagram, "%s", ".", 1))
	if err := p.Place(board.White, []board.Point{vertex(t, p, "C5"), vertex(t, p, "D6")}); err != nil {
		t.Fatal(err)
	}
	tt = newTactics(p)
	q = *p
	if tt.ladderCaptured(&q, board.White, vertex(t, p, "F5")) {
		t.Fatalf("a prey that can capture read as captured\n%s", p)
	}
}

func TestEscape(t *testing.T) {
	for _, tc := range []struct {
		name, diagram, last, want string
	}{
		{"extend into the open", `
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . O . . . . .
			. . O X O . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, "E5", "D4"},
		{"extension is a ladder", `
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . O . . . .
			. . . O X . . . .
			. . . . O O . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, "E6", ""},
		{"ladder broken", `
			. . . . . . . . .
			. . . . . . . X .
			. . . . . . . . .
			. . . . O . . . .
			. . . O X . . . .
			. . . . O O . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, "E6", "F5"},
		{"extension is a self-atari", `
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . O . . . .
			. . . O X . O . .
			. . . . O . . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, "E6", ""},
		{"capture the attacker instead", `
			. . . . . . . . .
			. . . . . . . . .
			. . . . X . . . .
			. . . X O . . . .
			. . . O X . O . .
			. . . . O O . . .
			. . . . . . . . .
			. . . . . . . . .
			. . . . . . . . .`, "E6", "F6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := parse(t, tc.diagram)
			last := vertex(t, p, tc.last)
			s := newRunner(p, DefaultPolicy(), 1)
			s.look(last)
			got := s.escapeMove(board.Black, last)
			if want := vertex(t, p, tc.want); got != want {
				t.Fatalf("escapeMove = %s; want %s\n%s", gtp(p, got), gtp(p, want), p)
			}
			if tc.want != "" {
				pol := Policy{Escape: 1, Ladders: true}
				if got := firstMove(p, pol, board.Black, last, 3); gtp(p, got) != tc.want {
					t.Fatalf("Playout's first move %s; want %s", gtp(p, got), tc.want)
				}
			}
		})
	}
}

// vitalCases are eye spaces: '.' and '*' (the vital point) are the empty
// region, enclosed by white stones filling the rest of a 7x7 board; the
// shape is put at (2, 2) or, with corner, at (0, 0).
var vitalCases = []struct {
	name   string
	shape  []string
	corner bool
	vital  bool
}{
	{"straight three", []string{".*."}, false, true},
	{"straight three in the corner", []string{".*."}, true, true},
	{"bent three", []string{"*.", ".O"}, false, true},
	{"bent three in the corner", []string{"*.", ".O"}, true, true},
	{"pyramid four", []string{".*.", "O.O"}, false, true},
	{"bulky five", []string{"..O", ".*."}, false, true},
	{"crossed five", []string{"O.O", ".*.", "O.O"}, false, true},
	{"rabbity six", []string{"..O", ".*.", "O.O"}, false, true},
	{"two points", []string{".."}, false, false},
	{"straight four", []string{"...."}, false, false},
	{"square four", []string{"..", ".."}, false, false},
	{"bent four", []string{"...", "OO."}, false, false},
	{"T five", []string{"...", "O.O", "O.O"}, false, false},
	{"seven", []string{"...", "...", ".OO"}, false, false},
}

func vitalPosition(t *testing.T, shape []string, corner bool) (p *board.Position, start, vital board.Point) {
	const n = 7
	off := 2
	if corner {
		off = 0
	}
	rows := make([][]byte, n)
	for y := range rows {
		rows[y] = []byte(strings.Repeat("O", n))
	}
	vital = board.Pass
	for y, r := range shape {
		for x := range len(r) {
			ch := r[x]
			if ch == '*' {
				vital = board.PointAt(off+x, off+y)
				ch = '.'
			}
			if ch == '.' {
				start = board.PointAt(off+x, off+y)
			}
			rows[off+y][off+x] = ch
		}
	}
	var b strings.Builder
	for _, r := range rows {
		b.Write(r)
		b.WriteByte('\n')
	}
	return parse(t, b.String()), start, vital
}

func TestVitalPoint(t *testing.T) {
	for _, tc := range vitalCases {
		t.Run(tc.name, func(t *testing.T) {
			p, start, vital := vitalPosition(t, tc.shape, tc.corner)
			if !tc.vital {
				vital = board.Pass
			}
			var reg [6]board.Point
			got, owner := newTactics(p).vitalPoint(start, &reg)
			if got != vital {
				t.Fatalf("vitalPoint = %s; want %s\n%s", gtp(p, got), gtp(p, vital), p)
			}
			if got != board.Pass && owner != board.White {
				t.Fatalf("owner %s; want W", owner)
			}
			if !tc.vital {
				return
			}
			// A black stone on the wall makes it no eye space of one
			// colour.
			for _, d := range dirs {
				if e := start + d; p.At(e) == board.White {
					q := *p
					if err := q.Place(board.Black, []board.Point{e}); err != nil {
						continue
					}
					if got, _ := newTactics(&q).vitalPoint(start, &reg); got != board.Pass {
						t.Fatalf("mixed walls: vitalPoint = %s; want pass\n%s", gtp(&q, got), &q)
					}
					break
				}
			}
		})
	}
}

func TestNakadeMove(t *testing.T) {
	// White just closed a straight three along the top edge with D9;
	// Black plays its middle, B9.
	p := parse(t, `
		. . . O X . . . .
		O O O O X . . . .
		X X X X X . . . .
		. . . . . . . . .
		. . . . . . . . .
		. . . . . . . . .
		. . . . . . . . .
		. . . . . . . . .
		. . . . . . . . .`)
	last := vertex(t, p, "D9")
	pol := Policy{Nakade: 1}
	for seed := range uint64(5) {
		if got := firstMove(p, pol, board.Black, last, seed); gtp(p, got) != "B9" {
			t.Fatalf("first move %s; want B9\n%s", gtp(p, got), p)
		}
	}
}

func TestSacrifice(t *testing.T) {
	// Black's chain and White's C4-D4 share their two liberties, D3 and
	// E4, and have no other. White filling either puts three stones in
	// atari and Black's chain too: Black can only capture, and the three
	// points left (bent three) are dead when White plays D4 next. A
	// game against Pachi turned on this (docs/strength.md).
	kill := parse(t, `
		. . . . . . .
		O O O O O O O
		O X X X X X O
		O X O O . X O
		O X X . X X O
		O O X X X O O
		. O O O O O .`)
	// With an outside liberty at D6 Black's chain is not caught: the
	// same moves only give three stones away.
	free := parse(t, `
		. . . . . . .
		O O O . O O O
		O X X X X X O
		O X O O . X O
		O X X . X X O
		O O X X X O O
		. O O O O O .`)
	for _, v := range []string{"E4", "D3"} {
		for _, tc := range []struct {
			name string
			p    *board.Position
			want bool
		}{{"caught", kill, true}, {"outside liberty", free, false}} {
			pt := vertex(t, tc.p, v)
			tt := newTactics(tc.p)
			kind, size, lib := tt.checkLib(board.White, pt)
			if kind != selfAtari || size != 3 {
				t.Fatalf("%s %s: check = %d, %d; want self-atari of 3", tc.name, v, kind, size)
			}
			if got := tt.sacrifice(board.White, pt, size, lib); got != tc.want {
				t.Errorf("%s %s: sacrifice = %v; want %v\n%s", tc.name, v, got, tc.want, tc.p)
			}
			s := newRunner(tc.p, DefaultPolicy(), 1)
			if got := s.noBigSelfAtari(board.White, pt); got != tc.want {
				t.Errorf("%s %s: a random move may play it: %v; want %v", tc.name, v, got, tc.want)
			}
		}
	}
	// White's C4 saves nothing and ataris Black's D4, but D4's last
	// liberty, E4, is not White's: Black can run out or capture at C5.
	apart := parse(t, `
		. . . . . . . . .
		. . . . . . . . .
		. . . . . . . . .
		. . . . . . . . .
		X X . O . . . . .
		O O . X . . . . .
		X X X O . . . . .
		. . . . . . . . .
		. . . . . . . . .`)
	pt := vertex(t, apart, "C4")
	kind, size, lib := newTactics(apart).checkLib(board.White, pt)
	if kind != selfAtari || size != 3 {
		t.Fatalf("apart C4: check = %d, %d; want self-atari of 3", kind, size)
	}
	if newTactics(apart).sacrifice(board.White, pt, size, lib) || newRunner(apart, DefaultPolicy(), 1).noBigSelfAtari(board.White, pt) {
		t.Errorf("apart C4: accepted a self-atari that shares no liberty with the chain it ataris\n%s", apart)
	}
	// A four-stone sacrifice is no nakade of three: still refused.
	e4 := vertex(t, kill, "E4")
	_, _, lib = newTactics(kill).checkLib(board.White, e4)
	if newTactics(kill).sacrifice(board.White, e4, 4, lib) {
		t.Error("sacrifice accepted four stones")
	}
	// The tree's priors: the sacrifice weighs like a catching atari, far
	// above the same self-atari with Black free.
	pk := make([]float32, 50)
	pf := make([]float32, 50)
	Priors(kill, board.White, board.Pass, pk)
	Priors(free, board.White, board.Pass, pf)
	i := 3*7 + 4 // E4
	if pk[i] < priorSacrifice || pf[i] > priorSelfAtari {
		t.Errorf("prior of E4: %v caught, %v free; want >= %v and <= %v", pk[i], pf[i], priorSacrifice, priorSelfAtari)
	}
}
