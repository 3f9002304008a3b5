package board

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Board size limits.
const (
	MinSize = 2
	MaxSize = 25
)

const (
	stride    = MaxSize + 1                 // row stride of the letterboxed array
	numPoints = (MaxSize+2)*stride + 1      // array length covering every size, and the last point's lower-right diagonal
	maxArea   = MaxSize * MaxSize           // on-board points of the largest board
	gtpLetter = "ABCDEFGHJKLMNOPQRSTUVWXYZ" // GTP columns skip I
)

// Color is the content of an intersection or the colour of a player.
type Color uint8

// Colours. border marks off-board cells of the letterboxed array.
const (
	Empty Color = iota
	Black
	White
	border
)

// Opponent returns the other player's colour. Precondition: c is Black or White.
func (c Color) Opponent() Color { return 3 - c }

// String returns "B", "W" or ".".
func (c Color) String() string {
	switch c {
	case Black:
		return "B"
	case White:
		return "W"
	case Empty:
		return "."
	}
	return "#"
}

// ParseColor reads "b", "black", "w" or "white" in any case.
func ParseColor(s string) (Color, error) {
	switch strings.ToLower(s) {
	case "b", "black":
		return Black, nil
	case "w", "white":
		return White, nil
	}
	return Empty, fmt.Errorf("board: bad colour %q", s)
}

// Point is an intersection: an index into the letterboxed board array. The
// same Point means the same (x, y) on every board size. Pass is the zero
// Point and is never on a board.
type Point int16

// Pass is the point of a pass move.
const Pass Point = 0

// PointAt returns the point at column x (from the left) and row y (from the
// top), both from 0. Precondition: 0 <= x, y < MaxSize.
func PointAt(x, y int) Point { return Point((y+1)*stride + x + 1) }

// XY returns the column from the left and the row from the top, from 0.
// Precondition: p is not Pass.
func (p Point) XY() (x, y int) { return int(p)%stride - 1, int(p)/stride - 1 }

// ErrBadVertex is wrapped by coordinate parse errors.
var ErrBadVertex = errors.New("bad vertex")

// inRange reports whether p is an intersection of a size x size board.
func (p Point) inRange(size int) bool {
	if p <= 0 || int(p) >= numPoints {
		return false
	}
	x, y := p.XY()
	return x >= 0 && y >= 0 && x < size && y < size
}

// GTP returns the GTP vertex of p on a size x size board: "Q16", "pass".
func (p Point) GTP(size int) string {
	if p == Pass {
		return "pass"
	}
	x, y := p.XY()
	return string(gtpLetter[x]) + strconv.Itoa(size-y)
}

// ParseGTP reads a GTP vertex ("Q16", "q16", "pass") for a size x size
// board. The column letter I does not exist in GTP.
func ParseGTP(s string, size int) (Point, error) {
	if strings.EqualFold(s, "pass") {
		return Pass, nil
	}
	if len(s) < 2 {
		return Pass, fmt.Errorf("board: %w %q", ErrBadVertex, s)
	}
	x := strings.IndexByte(gtpLetter, upper(s[0]))
	row, err := strconv.Atoi(s[1:])
	if x < 0 || err != nil || s[1] == '+' || s[1] == '-' {
		return Pass, fmt.Errorf("board: %w %q", ErrBadVertex, s)
	}
	if x >= size || row < 1 || row > size {
		return Pass, fmt.Errorf("board: %w %q: off a %dx%d board", ErrBadVertex, s, size, size)
	}
	return PointAt(x, size-row), nil
}

func upper(b byte) byte {
	if 'a' <= b && b <= 'z' {
		return b - 'a' + 'A'
	}
	return b
}

// SGF returns the SGF point text of p ("pd"), or "" for Pass.
func (p Point) SGF() string {
	if p == Pass {
		return ""
	}
	x, y := p.XY()
	return string([]byte{byte('a' + x), byte('a' + y)})
}

// ParseSGF reads an SGF point for a size x size board. "" is a pass, and so
// is "tt" on boards up to 19x19 (the FF[3] convention).
func ParseSGF(s string, size int) (Point, error) {
	if s == "" || (s == "tt" && size <= 19) {
		return Pass, nil
	}
	if len(s) != 2 {
		return Pass, fmt.Errorf("board: %w %q", ErrBadVertex, s)
	}
	x, y := sgfCoord(s[0]), sgfCoord(s[1])
	if x < 0 || y < 0 || x >= size || y >= size {
		return Pass, fmt.Errorf("board: %w %q: off a %dx%d board", ErrBadVertex, s, size, size)
	}
	return PointAt(x, y), nil
}

// sgfCoord maps 'a'..'z' to 0..25 and 'A'..'Z' to 26..51 (FF[4]).
func sgfCoord(b byte) int {
	switch {
	case 'a' <= b && b <= 'z':
		return int(b - 'a')
	case 'A' <= b && b <= 'Z':
		return int(b-'A') + 26
	}
	return -1
}

// Move is a colour and a point (Pass for a pass).
type Move struct {
	Color Color
	Point Point
}

// pointsBySize lists the on-board points of each size in row-major order,
// top row first. Built once at start-up, read-only afterwards.
var pointsBySize = func() (t [MaxSize + 1][]Point) {
	for n := MinSize; n <= MaxSize; n++ {
		for y := 0; y < n; y++ {
			for x := 0; x < n; x++ {
				t[n] = append(t[n], PointAt(x, y))
			}
		}
	}
	return t
}()

// Points returns the on-board points of a size x size board in row-major
// order from the top-left. The slice is shared: do not modify it.
// Precondition: MinSize <= size <= MaxSize.
func Points(size int) []Point { return pointsBySize[size] }
