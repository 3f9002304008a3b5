package board

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of illegal moves.
var (
	ErrOffBoard = errors.New("board: point off the board")
	ErrOccupied = errors.New("board: point occupied")
	ErrSuicide  = errors.New("board: suicide")
	ErrKo       = errors.New("board: ko")
	ErrColor    = errors.New("board: colour must be black or white")
)

// Position is a board: stones, chains with exact liberty counts, the simple
// ko point, the Zobrist hash of the stones and capture counts.
//
// A Position is a value with no pointers inside: copying it (child := *p)
// gives an independent board. The zero Position is not usable; make one with
// NewPosition or ParseDiagram.
type Position struct {
	// Per point. Off-board cells hold border in color.
	color [numPoints]Color
	next  [numPoints]Point // circular list of the stones of a chain
	head  [numPoints]Point // chain representative of a stone

	// Per chain, indexed by the chain's head.
	libs  [numPoints]int16 // exact number of distinct empty neighbours
	count [numPoints]int16 // stones in the chain

	// The empty on-board points as an unordered set.
	empty    [maxArea]Point
	emptyAt  [numPoints]int16 // index in empty of an empty point
	numEmpty int

	size     int
	ko       Point // point koColor may not play (simple ko), or Pass
	koColor  Color // the colour barred from retaking the ko
	hash     uint64
	stones   [3]int // stones on the board by colour
	captures [3]int // stones captured by each colour
}

// NewPosition returns an empty size x size board.
func NewPosition(size int) (*Position, error) {
	if size < MinSize || size > MaxSize {
		return nil, fmt.Errorf("board: size %d outside %d..%d", size, MinSize, MaxSize)
	}
	p := new(Position)
	p.size = size
	for i := range p.color {
		p.color[i] = border
	}
	for _, pt := range Points(size) {
		p.color[pt] = Empty
		p.emptyAt[pt] = int16(p.numEmpty)
		p.empty[p.numEmpty] = pt
		p.numEmpty++
	}
	return p, nil
}

// Size returns the board's side length.
func (p *Position) Size() int { return p.size }

// OnBoard reports whether pt is an intersection of this board.
func (p *Position) OnBoard(pt Point) bool {
	return pt > 0 && int(pt) < numPoints && p.color[pt] != border
}

// At returns the colour at pt: Black, White, or Empty (also for points off
// the board and Pass).
func (p *Position) At(pt Point) Color {
	if pt <= 0 || int(pt) >= numPoints || p.color[pt] == border {
		return Empty
	}
	return p.color[pt]
}

// Hash returns the Zobrist hash of the stones (not of the side to move or
// the ko point). An empty board of any size hashes to 0.
func (p *Position) Hash() uint64 { return p.hash }

// Ko returns the point the opponent of the last capturer may not play
// because of simple ko, or Pass if there is none. The capturer itself may
// fill it (an out-of-turn move, as GNU Go allows).
func (p *Position) Ko() Point { return p.ko }

// KoColor returns the colour barred from the Ko point.
func (p *Position) KoColor() Color { return p.koColor }

// Stones returns the number of c's stones on the board.
func (p *Position) Stones(c Color) int { return p.stones[c&3] }

// Captures returns the number of stones c has captured.
func (p *Position) Captures(c Color) int { return p.captures[c&3] }

// Liberties returns the number of liberties of the chain at pt, or 0 if pt
// holds no stone.
func (p *Position) Liberties(pt Point) int {
	if p.At(pt) == Empty {
		return 0
	}
	return int(p.libs[p.head[pt]])
}

// ChainSize returns the number of stones in the chain at pt, or 0.
func (p *Position) ChainSize(pt Point) int {
	if p.At(pt) == Empty {
		return 0
	}
	return int(p.count[p.head[pt]])
}

// Chain appends the stones of the chain at pt to dst[:0] and returns it.
func (p *Position) Chain(pt Point, dst []Point) []Point {
	dst = dst[:0]
	if p.At(pt) == Empty {
		return dst
	}
	s := pt
	for {
		dst = append(dst, s)
		s = p.next[s]
		if s == pt {
			return dst
		}
	}
}

// EmptyPoints returns the empty intersections in no particular order. The
// slice aliases the position: read it before the next change.
func (p *Position) EmptyPoints() []Point { return p.empty[:p.numEmpty] }

// neighbours of a point in the letterboxed array.
var dirs = [4]Point{-stride, -1, 1, stride}

// Legal reports whether c may play at pt under simple ko. Pass is always
// legal. Superko is the Game's business.
func (p *Position) Legal(c Color, pt Point) bool {
	return p.check(c, pt) == nil
}

func (p *Position) check(c Color, pt Point) error {
	if c != Black && c != White {
		return ErrColor
	}
	if pt == Pass {
		return nil
	}
	if pt < 0 || int(pt) >= numPoints || p.color[pt] == border {
		return ErrOffBoard
	}
	if p.color[pt] != Empty {
		return ErrOccupied
	}
	if pt == p.ko && c == p.koColor {
		return ErrKo
	}
	if p.suicide(c, pt) {
		return ErrSuicide
	}
	return nil
}

// suicide reports whether c playing on the empty point pt would leave its
// own chain without liberties while capturing nothing.
func (p *Position) suicide(c Color, pt Point) bool {
	for _, d := range dirs {
		n := pt + d
		switch p.color[n] {
		case Empty:
			return false
		case c:
			if p.libs[p.head[n]] > 1 {
				return false
			}
		case border:
		default: // opponent
			if p.libs[p.head[n]] == 1 {
				return false
			}
		}
	}
	return true
}

// Play plays c at pt (Pass passes), capturing as the rules say, and updates
// the ko point. It returns ErrOffBoard, ErrOccupied, ErrKo, ErrSuicide or
// ErrColor, leaving the position unchanged, if the move is illegal under
// simple ko.
func (p *Position) Play(c Color, pt Point) error {
	if err := p.check(c, pt); err != nil {
		return err
	}
	p.play(c, pt)
	return nil
}

// play plays a move known to be legal.
func (p *Position) play(c Color, pt Point) {
	if pt == Pass {
		p.ko = Pass
		return
	}
	opp := c.Opponent()
	p.addStone(c, pt)

	// pt was a liberty of each distinct neighbouring chain.
	var seen [4]Point
	ns := 0
	for _, d := range dirs {
		n := pt + d
		if p.color[n] != Black && p.color[n] != White {
			continue
		}
		h := p.head[n]
		if h == seen[0] || h == seen[1] || h == seen[2] {
			continue
		}
		seen[ns] = h
		ns++
		p.libs[h]--
	}

	// Capture opponent chains left without liberties.
	captured, lastCaptured := 0, Pass
	for i := range ns {
		h := seen[i]
		if p.color[h] == opp && p.libs[h] == 0 {
			captured += p.removeChain(h)
			lastCaptured = h
		}
	}

	// Merge own neighbouring chains into one, the smaller into the larger.
	for i := range ns {
		h := seen[i]
		if p.color[h] != c {
			continue
		}
		a, b := p.head[pt], h
		if a == b {
			continue
		}
		if p.count[a] < p.count[b] {
			a, b = b, a
		}
		p.merge(a, b)
	}

	p.captures[c] += captured
	p.ko = Pass
	if captured == 1 {
		h := p.head[pt]
		if p.count[h] == 1 && p.libs[h] == 1 {
			p.ko = lastCaptured
			p.koColor = opp
		}
	}
}

// addStone puts a lone stone of colour c on the empty point pt.
func (p *Position) addStone(c Color, pt Point) {
	p.color[pt] = c
	p.hash ^= zobristStone[c][pt]
	p.stones[c]++
	p.head[pt] = pt
	p.next[pt] = pt
	p.count[pt] = 1
	libs := int16(0)
	for _, d := range dirs {
		if p.color[pt+d] == Empty {
			libs++
		}
	}
	p.libs[pt] = libs
	// Remove pt from the empty set.
	i := p.emptyAt[pt]
	last := p.empty[p.numEmpty-1]
	p.empty[i] = last
	p.emptyAt[last] = i
	p.numEmpty--
}

// removeChain takes the chain with head h off the board, giving each
// distinct neighbouring chain one liberty per removed stone it touched.
// It returns the number of stones removed.
func (p *Position) removeChain(h Point) int {
	c := p.color[h]
	n := 0
	s := h
	for {
		p.color[s] = Empty
		p.hash ^= zobristStone[c][s]
		p.emptyAt[s] = int16(p.numEmpty)
		p.empty[p.numEmpty] = s
		p.numEmpty++
		n++
		s = p.next[s]
		if s == h {
			break
		}
	}
	p.stones[c] -= n
	// Second pass: the removed points are liberties of their neighbours now.
	// Colour is already Empty for the whole chain, so no stone of the chain
	// is counted.
	s = h
	for {
		var seen [4]Point
		ns := 0
		for _, d := range dirs {
			m := s + d
			if p.color[m] != Black && p.color[m] != White {
				continue
			}
			hh := p.head[m]
			if hh == seen[0] || hh == seen[1] || hh == seen[2] {
				continue
			}
			seen[ns] = hh
			ns++
			p.libs[hh]++
		}
		s = p.next[s]
		if s == h {
			break
		}
	}
	return n
}

// merge joins chain b into chain a (both heads, same colour), counting the
// liberties of b that a did not already have.
func (p *Position) merge(a, b Point) {
	s := b
	for {
		for _, d := range dirs {
			e := s + d
			if p.color[e] != Empty {
				continue
			}
			// e is a new liberty of a unless a stone of a touches it. Stones
			// of b relabelled earlier in this loop count as a, so e is
			// counted once.
			if p.head[e+dirs[0]] != a || p.color[e+dirs[0]] == Empty {
				if p.head[e+dirs[1]] != a || p.color[e+dirs[1]] == Empty {
					if p.head[e+dirs[2]] != a || p.color[e+dirs[2]] == Empty {
						if p.head[e+dirs[3]] != a || p.color[e+dirs[3]] == Empty {
							p.libs[a]++
						}
					}
				}
			}
		}
		p.head[s] = a
		s = p.next[s]
		if s == b {
			break
		}
	}
	p.count[a] += p.count[b]
	// Splice the two circular lists.
	p.next[a], p.next[b] = p.next[b], p.next[a]
}

// String returns the board as a diagram: one row per line from the top,
// 'X' for black, 'O' for white, '.' for empty.
func (p *Position) String() string {
	var sb strings.Builder
	for y := 0; y < p.size; y++ {
		for x := 0; x < p.size; x++ {
			sb.WriteByte(".XO"[p.color[PointAt(x, y)]])
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// ParseDiagram reads a diagram: one row per line from the top, 'X' or 'x'
// or '#' for black, 'O' or 'o' for white, '.' or '+' for empty; blanks and
// empty lines are ignored. The board must be square. The diagram may show a
// position no game could reach, except that every chain must have a
// liberty. Black is not implied to move; the ko point is unset.
func ParseDiagram(s string) (*Position, error) {
	var rows []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' {
				return -1
			}
			return r
		}, line)
		if line != "" {
			rows = append(rows, line)
		}
	}
	p, err := NewPosition(len(rows))
	if err != nil {
		return nil, err
	}
	for y, row := range rows {
		if len(row) != len(rows) {
			return nil, fmt.Errorf("board: diagram row %d has %d points; want %d", y+1, len(row), len(rows))
		}
		for x := range len(row) {
			var c Color
			switch row[x] {
			case 'X', 'x', '#':
				c = Black
			case 'O', 'o':
				c = White
			case '.', '+':
				continue
			default:
				return nil, fmt.Errorf("board: diagram row %d: bad character %q", y+1, row[x])
			}
			p.place(c, PointAt(x, y))
		}
	}
	if err := p.checkLiberties(); err != nil {
		return nil, err
	}
	return p, nil
}

// ErrNoLiberties is returned when setup stones leave a chain without liberties.
var ErrNoLiberties = errors.New("board: a chain has no liberties")

// place puts c (or Empty) on pt without capturing anything and keeps the
// chain structures exact. Used for setup, which is rare: it rebuilds.
func (p *Position) place(c Color, pt Point) {
	if p.color[pt] == c {
		return
	}
	if p.color[pt] != Empty {
		old := p.color[pt]
		p.color[pt] = Empty
		p.hash ^= zobristStone[old][pt]
		p.stones[old]--
		p.emptyAt[pt] = int16(p.numEmpty)
		p.empty[p.numEmpty] = pt
		p.numEmpty++
	}
	if c != Empty {
		p.color[pt] = Empty // addStone expects an empty point
		p.addStone(c, pt)
		p.libs[pt] = 0
	}
	p.rebuildChains()
}

// rebuildChains recomputes chains and liberty counts from the colours.
func (p *Position) rebuildChains() {
	var mark [numPoints]bool
	var stack []Point
	for _, pt := range Points(p.size) {
		c := p.color[pt]
		if c == Empty || mark[pt] {
			continue
		}
		// Flood fill the chain at pt.
		stack = append(stack[:0], pt)
		mark[pt] = true
		var chain []Point
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			chain = append(chain, s)
			for _, d := range dirs {
				n := s + d
				if p.color[n] == c && !mark[n] {
					mark[n] = true
					stack = append(stack, n)
				}
			}
		}
		h := chain[0]
		var lib [numPoints]bool
		libs := int16(0)
		for i, s := range chain {
			p.head[s] = h
			p.next[s] = chain[(i+1)%len(chain)]
			for _, d := range dirs {
				if n := s + d; p.color[n] == Empty && !lib[n] {
					lib[n] = true
					libs++
				}
			}
		}
		p.libs[h] = libs
		p.count[h] = int16(len(chain))
	}
}

func (p *Position) checkLiberties() error {
	for _, pt := range Points(p.size) {
		if c := p.color[pt]; c != Empty && p.libs[p.head[pt]] == 0 {
			return fmt.Errorf("%w: %s at %s", ErrNoLiberties, c, pt.GTP(p.size))
		}
	}
	return nil
}

// Place puts setup stones of colour c (Empty clears them, as SGF AE does)
// on pts, capturing nothing, and clears the ko point. It fails, leaving p
// unchanged, if a point is off the board or a chain would be left without
// liberties.
func (p *Position) Place(c Color, pts []Point) error {
	if c > White {
		return ErrColor
	}
	q := *p
	for _, pt := range pts {
		if !q.OnBoard(pt) {
			return fmt.Errorf("%w: %v", ErrOffBoard, pt)
		}
		q.place(c, pt)
	}
	if err := q.checkLiberties(); err != nil {
		return err
	}
	q.ko = Pass
	*p = q
	return nil
}

// IsEye reports whether pt is a single-point eye of c: an empty point whose
// neighbours are all c's stones, with at most one diagonal held by the
// opponent in the middle of the board and none on the edge.
func (p *Position) IsEye(c Color, pt Point) bool {
	if p.color[pt] != Empty {
		return false
	}
	for _, d := range dirs {
		if n := p.color[pt+d]; n != c && n != border {
			return false
		}
	}
	opp, edge := 0, 0
	for _, d := range [4]Point{-stride - 1, -stride + 1, stride - 1, stride + 1} {
		switch p.color[pt+d] {
		case border:
			edge = 1
		case c, Empty:
		default:
			opp++
		}
	}
	return opp+edge < 2
}

// AreaScore returns the Tromp-Taylor area of each colour: its stones plus
// the empty points that reach only its stones.
func (p *Position) AreaScore() (black, white int) {
	black, white = p.stones[Black], p.stones[White]
	p.emptyRegions(func(region []Point, reachB, reachW bool) {
		switch {
		case reachB && !reachW:
			black += len(region)
		case reachW && !reachB:
			white += len(region)
		}
	})
	return black, white
}

// emptyRegions calls fn with every maximal region of connected empty
// points and whether it touches Black and White stones. The region slice
// is only valid during the call.
func (p *Position) emptyRegions(fn func(region []Point, reachB, reachW bool)) {
	var mark [numPoints]bool
	var stack, region [maxArea]Point
	for _, pt := range Points(p.size) {
		if p.color[pt] != Empty || mark[pt] {
			continue
		}
		sp, nr := 0, 0
		stack[sp] = pt
		sp++
		mark[pt] = true
		var reach [4]bool
		for sp > 0 {
			sp--
			s := stack[sp]
			region[nr] = s
			nr++
			for _, d := range dirs {
				n := s + d
				switch p.color[n] {
				case Empty:
					if !mark[n] {
						mark[n] = true
						stack[sp] = n
						sp++
					}
				default:
					reach[p.color[n]] = true
				}
			}
		}
		fn(region[:nr], reach[Black], reach[White])
	}
}
