package rollout

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// Every pattern of the set matches at its centre, under each of the 8
// symmetries and for either colour as X, for the player(s) it names, on a
// real board with its wildcards filled at random and its edges put on the
// board's edges.
func TestPatternsMatch(t *testing.T) {
	const n = 7
	rng := rand.New(rand.NewPCG(1, 2))
	for _, pat := range patternSource {
		for _, xc := range []board.Color{board.Black, board.White} {
			for s := range 8 {
				// The transformed 3x3, cell (r, c) with the centre at (1, 1).
				var cells [3][3]byte
				for r := range 3 {
					for c := range 3 {
						sr, sc := symmetry(s, r, c)
						cells[r][c] = pat.rows[sr][sc]
					}
				}
				// Put the centre where the '#' sides fall off the board.
				cx, cy := n/2, n/2
				if cells[0][1] == '#' {
					cy = 0
				}
				if cells[2][1] == '#' {
					cy = n - 1
				}
				if cells[1][0] == '#' {
					cx = 0
				}
				if cells[1][2] == '#' {
					cx = n - 1
				}
				var p *board.Position
				for try := 0; p == nil; try++ {
					p = patternPosition(t, cells, cx, cy, xc, rng, try > 20)
				}
				centre := board.PointAt(cx, cy)
				tt := newTactics(p)
				if !tt.matches(xc, centre) {
					t.Fatalf("%s (symmetry %d, X=%s): no match for X at %s\n%s", pat.name, s, xc, gtp(p, centre), p)
				}
				if pat.mover == 'b' && !tt.matches(xc.Opponent(), centre) {
					t.Fatalf("%s (symmetry %d, X=%s): no match for O at %s\n%s", pat.name, s, xc, gtp(p, centre), p)
				}
			}
		}
	}
}

// patternPosition builds an n x n board with the 3x3 cells around (cx, cy)
// (X = xc), wildcards filled at random (empty if plain), or nil if a
// random fill left a chain without liberties or put a stone where the
// pattern needs the edge.
func patternPosition(t *testing.T, cells [3][3]byte, cx, cy int, xc board.Color, rng *rand.Rand, plain bool) *board.Position {
	const n = 7
	rows := make([][]byte, n)
	for y := range rows {
		rows[y] = []byte(strings.Repeat(".", n))
	}
	x, o := byte('X'), byte('O')
	if xc == board.White {
		x, o = o, x
	}
	for r := range 3 {
		for c := range 3 {
			px, py := cx+c-1, cy+r-1
			off := px < 0 || py < 0 || px >= n || py >= n
			ch := cells[r][c]
			if off {
				if ch != '#' && ch != '?' && ch != 'x' && ch != 'o' {
					t.Fatalf("cell %q off the board", ch)
				}
				continue
			}
			var v byte
			switch ch {
			case 'X':
				v = x
			case 'O':
				v = o
			case '.':
				v = '.'
			case 'x':
				v = '.'
				if !plain && rng.IntN(2) == 0 {
					v = o
				}
			case 'o':
				v = '.'
				if !plain && rng.IntN(2) == 0 {
					v = x
				}
			case '?':
				v = '.'
				if !plain {
					v = ".XO"[rng.IntN(3)]
				}
			case '#':
				t.Fatalf("'#' cell on the board")
			}
			rows[py][px] = v
		}
	}
	var b strings.Builder
	for _, r := range rows {
		b.Write(r)
		b.WriteByte('\n')
	}
	p, err := board.ParseDiagram(b.String())
	if err != nil {
		if plain {
			t.Fatal(err)
		}
		return nil
	}
	return p
}

// The table is closed under the symmetries of the square and swaps its
// colour bits with the colours.
func TestPatternTableSymmetric(t *testing.T) {
	transform := func(code uint16, s int, swap bool) uint16 {
		var grid [3][3]uint16
		for i, cell := range ring {
			grid[cell[0]][cell[1]] = code >> (2 * i) & 3
		}
		var out uint16
		for i, cell := range ring {
			r, c := symmetry(s, cell[0], cell[1])
			v := grid[r][c]
			if swap && (v == uint16(board.Black) || v == uint16(board.White)) {
				v = 3 - v
			}
			out |= v << (2 * i)
		}
		return out
	}
	table := buildPatterns(patternSource)
	matched := 0
	for code := range 1 << 16 {
		bits := table[code]
		for _, c := range []board.Color{board.Black, board.White} {
			if got := patternTable.good(uint16(code), c); got != (bits&(1<<c) != 0) {
				t.Fatalf("code %#04x: packed table says %v for %s", code, got, c)
			}
		}
		if bits != 0 {
			matched++
		}
		swapped := bits&^6 | (bits&2)<<1 | (bits&4)>>1
		for s := range 8 {
			if got := table[transform(uint16(code), s, false)]; got != bits {
				t.Fatalf("code %#04x symmetry %d: %b; want %b", code, s, got, bits)
			}
			if got := table[transform(uint16(code), s, true)]; got != swapped {
				t.Fatalf("code %#04x symmetry %d swapped: %b; want %b", code, s, got, swapped)
			}
		}
	}
	if matched < 100 {
		t.Fatalf("only %d codes match", matched)
	}
}

// Hand-made neighbourhoods: the centre is the point asked about.
func TestPatternCases(t *testing.T) {
	for _, tc := range []struct {
		name    string
		diagram string
		black   bool // a match for Black at the centre
		white   bool
	}{
		{"empty", `
			. . . . .
			. . . . .
			. . . . .
			. . . . .
			. . . . .`, false, false},
		{"hane enclosing", `
			. . . . .
			. X O X .
			. . . . .
			. . . . .
			. . . . .`, true, true},
		{"cut of a diagonal", `
			. . . . .
			. X O . .
			. O . . .
			. . . . .
			. . . . .`, true, true},
		{"no cut: the cutting stone has a friend beside", `
			. . . . .
			. X O . .
			. O . O .
			. . . . .
			. . . . .`, false, false},
		{"thin hane, X to play only", `
			. . . . .
			. X O O .
			. . . . .
			. . . . .
			. . . . .`, true, false},
		{"thin hane, white's version", `
			. . . . .
			. O X X .
			. . . . .
			. . . . .
			. . . . .`, false, true},
		{"edge: chase on the first line", `
			. . . . .
			. . . . .
			. . . . .
			. X . . .
			. O . . .`, true, true},
		{"edge: block a first-line link", `
			. . . . .
			. . . . .
			. . . . .
			. . X . .
			. . . O .`, true, true},
		{"the same shape off the edge is no pattern", `
			. . . . . . .
			. . . . . . .
			. . . . . . .
			. . . X . . .
			. . . . O . .
			. . . . . . .
			. . . . . . .`, false, false},
		{"edge sagari for the owner of the stone above", `
			. . . . .
			. . . . .
			. . . . .
			. . X O .
			. . . . .`, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := parse(t, tc.diagram)
			n := p.Size()
			centre := board.PointAt(2, 2)
			if strings.Contains(tc.name, "edge") && n == 5 {
				centre = board.PointAt(2, 4)
			}
			if n == 7 {
				centre = board.PointAt(3, 4)
			}
			tt := newTactics(p)
			if got := tt.matches(board.Black, centre); got != tc.black {
				t.Errorf("Black at %s: match %v; want %v (%v)\n%s", gtp(p, centre), got, tc.black, matching(tt, board.Black, centre), p)
			}
			if got := tt.matches(board.White, centre); got != tc.white {
				t.Errorf("White at %s: match %v; want %v (%v)\n%s", gtp(p, centre), got, tc.white, matching(tt, board.White, centre), p)
			}
		})
	}
}

// matching names the patterns that match for c at pt.
func matching(tt *tactics, c board.Color, pt board.Point) []string {
	var names []string
	for _, pat := range patternSource {
		if buildPatterns([]pattern{pat})[tt.code(pt)]&(1<<c) != 0 {
			names = append(names, pat.name)
		}
	}
	return names
}

// patternMove only plays neighbours of the last move that match: here
// the enclosing hane under or over White's stone.
func TestPatternMove(t *testing.T) {
	p := parse(t, `
		. . . . . . .
		. . . . . . .
		. . X O X . .
		. . . . . . .
		. . . . . . .
		. . . . . . .
		. . . . . . .`)
	last := vertex(t, p, "D5")
	seen := map[string]int{}
	tt := newTactics(p)
	for seed := range uint64(40) {
		s := newRunner(p, DefaultPolicy(), seed)
		s.look(last)
		pt := s.patternMove(board.Black, last)
		if !near(pt, last) || !tt.matches(board.Black, pt) {
			t.Fatalf("patternMove = %s: no matching neighbour of D5\n%s", gtp(p, pt), p)
		}
		seen[gtp(p, pt)]++
	}
	if seen["D4"] == 0 || seen["D6"] == 0 {
		t.Fatalf("patternMove played %v; want D4 and D6 among them\n%s", seen, p)
	}
}
