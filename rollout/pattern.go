package rollout

import "github.com/tengen-go/tengen/board"

// A 3x3 pattern is centred on an empty point, the candidate move. Its code
// packs the contents of the eight neighbours, two bits each (Empty, Black,
// White, edge), clockwise from the top: N, NE, E, SE, S, SW, W, NW.
//
// The pattern set is hand-written in the spirit of MoGo's (Gelly, Wang,
// Munos, Teytaud 2006: hane, cuts and moves on the edge), in this notation:
// rows from the top, the centre is the move; X and O are stones of the two
// colours, '.' empty, 'x' anything but an X stone (O, empty or off the
// board), 'o' anything but an O stone, '#' off the board, '?' anything.
// Each pattern holds under the 8 symmetries of the square and for either
// colour as X. mover says who the move is good for: both players, or only
// the player whose stones are X.
type pattern struct {
	name  string
	rows  [3]string
	mover byte // 'b': both, 'X': the X player only
}

var patternSource = []pattern{
	// Hane and answers to contact.
	{"hane-enclosing", [3]string{"XOX", "...", "???"}, 'b'},     // hane that encloses a stone
	{"hane-noncutting", [3]string{"XO.", "...", "?.?"}, 'b'},    // hane that leaves no cut
	{"hane-magari", [3]string{"XO?", "X..", "x.?"}, 'b'},        // turn around a stone
	{"hane-thin", [3]string{"XOO", "...", "?.?"}, 'X'},          // hane at the head of two stones
	{"cut-kiri", [3]string{"XO?", "O.o", "?o?"}, 'b'},           // the cut of a diagonal
	{"cut-peeped", [3]string{"XO?", "O.X", "???"}, 'b'},         // cut or connect after a peep
	{"cut-de", [3]string{"?X?", "O.O", "ooo"}, 'b'},             // push between two stones
	{"cut-keima", [3]string{"OX?", "o.O", "?o?"}, 'b'},          // cut a knight's move
	{"edge-chase", [3]string{"X.?", "O.?", "###"}, 'b'},         // crawl or block on the first line
	{"edge-block-cut", [3]string{"OX?", "X.O", "###"}, 'b'},     // cut / connect on the first line
	{"edge-block-connect", [3]string{"?X?", "x.O", "###"}, 'b'}, // stop a first-line link
	{"edge-sagari", [3]string{"?XO", "x.x", "###"}, 'X'},        // descend to the edge
	{"edge-cut", [3]string{"?OX", "X.O", "###"}, 'b'},           // cut under a stone
}

// patternTable says which pattern codes are good moves for which colour.
// Built at start-up, read-only afterwards.
var patternTable = pack(buildPatterns(patternSource))

// patternBits holds two bits per pattern code (1: good for Black, 2: good
// for White), 16 KiB: small enough to stay in the cache.
type patternBits [1 << 14]uint8

func (t *patternBits) good(code uint16, c board.Color) bool {
	return t[code>>2]>>(2*(code&3))&(1<<(c-1)) != 0
}

// pack packs a table of bits 1<<c per code.
func pack(t *[1 << 16]uint8) *patternBits {
	p := new(patternBits)
	for code, bits := range t {
		p[code>>2] |= bits >> 1 << (2 * (code & 3))
	}
	return p
}

// Cells of the 3x3 grid in code order, as (row, column).
var ring = [8][2]int{{0, 1}, {0, 2}, {1, 2}, {2, 2}, {2, 1}, {2, 0}, {1, 0}, {0, 0}}

// symmetry returns the cell (row, column) that cell (r, c) maps from under
// symmetry s (0..7: 4 rotations, each optionally transposed).
func symmetry(s, r, c int) (int, int) {
	if s&4 != 0 {
		r, c = c, r
	}
	for range s & 3 {
		r, c = c, 2-r
	}
	return r, c
}

// Content sets as bit masks over Empty, Black, White, edge.
const (
	mEmpty = 1 << board.Empty
	mBlack = 1 << board.Black
	mWhite = 1 << board.White
	mEdge  = 1 << edge
	mAny   = mEmpty | mBlack | mWhite | mEdge
)

func cellMask(ch byte, x, o uint8) uint8 {
	switch ch {
	case 'X':
		return x
	case 'O':
		return o
	case 'x':
		return mAny &^ x
	case 'o':
		return mAny &^ o
	case '.':
		return mEmpty
	case '#':
		return mEdge
	case '?':
		return mAny
	}
	panic("rollout: bad pattern character " + string(ch))
}

func buildPatterns(src []pattern) *[1 << 16]uint8 {
	t := new([1 << 16]uint8)
	for _, pat := range src {
		if pat.rows[1][1] != '.' {
			panic("rollout: pattern " + pat.name + " must be centred on an empty point")
		}
		for _, xc := range [2]board.Color{board.Black, board.White} {
			oc := xc.Opponent()
			var bits uint8 = 1 << xc
			if pat.mover == 'b' {
				bits |= 1 << oc
			}
			for s := range 8 {
				var masks [8]uint8
				for i, cell := range ring {
					r, c := symmetry(s, cell[0], cell[1])
					masks[i] = cellMask(pat.rows[r][c], 1<<xc, 1<<oc)
				}
				expand(t, masks, 0, 0, bits)
			}
		}
	}
	return t
}

// expand sets bits on every code whose cells i.. lie in masks.
func expand(t *[1 << 16]uint8, masks [8]uint8, i int, code uint16, bits uint8) {
	if i == 8 {
		t[code] |= bits
		return
	}
	for v := range uint16(4) {
		if masks[i]&(1<<v) != 0 {
			expand(t, masks, i+1, code|v<<(2*i), bits)
		}
	}
}

// code returns the pattern code of the neighbourhood of pt.
func (t *tactics) code(pt board.Point) uint16 {
	return t.color(pt-stride) |
		t.color(pt-stride+1)<<2 |
		t.color(pt+1)<<4 |
		t.color(pt+stride+1)<<6 |
		t.color(pt+stride)<<8 |
		t.color(pt+stride-1)<<10 |
		t.color(pt-1)<<12 |
		t.color(pt-stride-1)<<14
}

// matches reports whether a 3x3 pattern of the set says c should play the
// empty point pt.
func (t *tactics) matches(c board.Color, pt board.Point) bool {
	return patternTable.good(t.code(pt), c)
}
