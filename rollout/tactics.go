package rollout

import "github.com/tengen-go/tengen/board"

// tactics reads a position: liberties, what a move would do, ladders,
// eye shapes. It holds scratch buffers so that nothing allocates; it is
// large, so keep it on the stack of the goroutine that uses it.
type tactics struct {
	pos  *board.Position
	on   *[maxPoint]bool
	size int
	buf  [maxArea]board.Point // libsOf's and libsAfter's chain walks, Priors' flood fill
	walk [maxArea]board.Point // chain walks by their callers, and by ladderCaptured
}

// color returns the content of pt as a pattern code: Empty, Black, White
// or edge.
func (t *tactics) color(pt board.Point) uint16 {
	if !t.on[pt] {
		return edge
	}
	return uint16(t.pos.At(pt))
}

// libSet collects up to two distinct points.
type libSet struct {
	p [2]board.Point
	n int
}

func (s *libSet) add(e board.Point) {
	if s.n == 0 || (s.n == 1 && s.p[0] != e) {
		s.p[s.n] = e
		s.n++
	}
}

// libsOf finds up to want (1 or 2) liberties of the chain at pt on p (t.pos
// or a copy of it being read), stores them in out and returns how many it
// found.
func (t *tactics) libsOf(p *board.Position, pt board.Point, want int, out *[2]board.Point) int {
	var s libSet
	for _, q := range p.Chain(pt, t.buf[:0]) {
		for _, d := range dirs {
			if e := q + d; t.on[e] && p.At(e) == board.Empty {
				s.add(e)
				if s.n >= want {
					*out = s.p
					return s.n
				}
			}
		}
	}
	*out = s.p
	return s.n
}

// lib returns the liberty of the chain in atari at pt.
func (t *tactics) lib(pt board.Point) board.Point {
	var l [2]board.Point
	t.libsOf(t.pos, pt, 1, &l)
	return l[0]
}

// What a move would do, as check says.
const (
	illegal   = iota // ko or suicide
	selfAtari        // legal, and the mover's chain is left with one liberty
	fine             // legal, two liberties or more
)

// check classifies c playing the empty on-board point pt, cheaply. For a
// selfAtari it also returns the size of the mover's chain after the move:
// exact up to 2, an upper bound above. A move that captures and still
// leaves one liberty (a ko capture, a capture into a snapback) is a
// selfAtari.
func (t *tactics) check(c board.Color, pt board.Point) (kind, size int) {
	kind, size, _ = t.checkLib(c, pt)
	return kind, size
}

// checkLib is check that also returns, for a selfAtari, the one liberty
// the mover's chain keeps (Pass otherwise).
func (t *tactics) checkLib(c board.Color, pt board.Point) (kind, size int, lib board.Point) {
	p := t.pos
	if pt == p.Ko() && c == p.KoColor() {
		return illegal, 0, board.Pass
	}
	empties := 0
	for _, d := range dirs {
		n := pt + d
		switch p.At(n) {
		case board.Empty:
			if t.on[n] {
				empties++
			}
		case c:
			if p.Liberties(n) >= 3 {
				return fine, 0, board.Pass
			}
		}
	}
	if empties >= 2 {
		return fine, 0, board.Pass
	}
	// Few liberties: collect up to two distinct ones.
	var libs libSet
	size = 1
	captured := 0
	opp := c.Opponent()
	for _, d := range dirs {
		n := pt + d
		switch p.At(n) {
		case board.Empty:
			if t.on[n] {
				libs.add(n)
			}
		case c:
			size += p.ChainSize(n)
			if p.Liberties(n) == 2 {
				var l [2]board.Point
				t.libsOf(p, n, 2, &l)
				for _, e := range l {
					if e != pt {
						libs.add(e)
					}
				}
			}
		case opp:
			if p.Liberties(n) == 1 {
				captured += p.ChainSize(n)
				libs.add(n)
			}
		}
	}
	switch {
	case libs.n >= 2:
		return fine, size, board.Pass
	case libs.n == 0:
		return illegal, 0, board.Pass // suicide: no liberty and nothing captured
	case captured > 1 && p.MoveInfo(c, pt).Liberties >= 2:
		// Captured stones beyond the neighbour may be liberties too.
		return fine, size, board.Pass
	}
	return selfAtari, size, libs.p[0]
}

// sacrifice reports whether c's self-atari at pt, which leaves a chain
// of size stones with the one liberty lib (checkLib), is a killing
// sacrifice (nakade): size is three (one more than a throw-in), and an
// opponent chain next to pt has no liberty left but lib. The opponent
// can only capture there, and its chain, which had no liberty outside,
// is left with a space of three points whose vital point c plays next:
// one eye. (The capturing stone may join a chain that has eyes
// elsewhere; playouts take that chance.)
func (t *tactics) sacrifice(c board.Color, pt board.Point, size int, lib board.Point) bool {
	if size != maxThrowIn+1 {
		return false
	}
	p := t.pos
	opp := c.Opponent()
	var l [2]board.Point
	for _, d := range dirs {
		n := pt + d
		if p.At(n) != opp || p.Liberties(n) != 2 {
			continue
		}
		t.libsOf(p, n, 2, &l)
		if (l[0] == pt && l[1] == lib) || (l[1] == pt && l[0] == lib) {
			return true
		}
	}
	return false
}

// libsAfter returns the liberties c's chain would have after c plays the
// empty on-board point pt of p, not counting excl (Pass: count all),
// counted up to limit (at most 4). Legality is not checked. Precondition:
// excl is Pass or a liberty the chain would have.
func (t *tactics) libsAfter(p *board.Position, c board.Color, pt, excl board.Point, limit int) int {
	var libs [4]board.Point
	n := 0
	slack := 1 // liberties a neighbour chain may lose: pt, and excl
	if excl != board.Pass {
		slack = 2
	}
	opp := c.Opponent()
	for _, d := range dirs {
		e := pt + d
		switch p.At(e) {
		case board.Empty:
			if t.on[e] && e != excl {
				libs[n] = e
				n++
			}
		case c:
			if p.Liberties(e) >= limit+slack {
				return limit
			}
		case opp:
			if p.Liberties(e) == 1 { // a capture: rare, count exactly
				return min(p.MoveInfo(c, pt).Liberties-(slack-1), limit)
			}
		}
	}
	if n >= limit {
		return limit
	}
	for _, d := range dirs {
		if e := pt + d; p.At(e) == c {
			for _, s := range p.Chain(e, t.buf[:0]) {
				for _, d := range dirs {
					f := s + d
					if f == pt || f == excl || !t.on[f] || p.At(f) != board.Empty || inRegion(libs[:n], f) {
						continue
					}
					libs[n] = f
					n++
					if n >= limit {
						return limit
					}
				}
			}
		}
	}
	return n
}

// extends reports whether c's chain in atari escapes by extending at its
// liberty lib: three liberties or more, or two and (with ladders read) no
// ladder.
func (t *tactics) extends(c board.Color, lib board.Point, ladders bool) bool {
	p := t.pos
	if !p.Legal(c, lib) {
		return false
	}
	switch l := t.libsAfter(p, c, lib, board.Pass, 3); {
	case l >= 3:
		return true
	case l <= 1:
		return false
	}
	if !ladders {
		return true
	}
	q := *p
	return !t.ladderCaptured(&q, c, lib)
}

// ataris rates an atari by c at x on the opponent's two-liberty chain
// whose other liberty is y: 0 if it is no use (illegal, a self-atari, or
// the chain escapes with three liberties or more), 2 if the chain cannot
// escape (at most one liberty after extending, or a ladder when ladders are
// read), 1 if it is chased with two liberties.
func (t *tactics) ataris(c board.Color, x, y board.Point, ladders bool) int {
	p := t.pos
	opp := c.Opponent()
	// The chain's liberties after extending at y, x taken.
	esc := t.libsAfter(p, opp, y, x, 3)
	if esc >= 3 {
		return 0
	}
	if k, _ := t.check(c, x); k != fine {
		return 0
	}
	if esc <= 1 {
		return 2
	}
	if !ladders {
		return 1
	}
	q := *p
	if q.Play(c, x) != nil {
		return 0
	}
	if t.ladderCaptured(&q, opp, y) {
		return 2
	}
	return 1
}

// ladderCaptured reports whether prey's chain in atari next to lib, lib
// being its only liberty, is still captured after extending there: the
// attacker keeps giving atari from the side that leaves the chain the
// fewest liberties, and the chain escapes once it has three liberties, or
// can capture an attacker chain next to it, or the ladder runs longer
// than the reading limit. q is changed: pass a copy.
func (t *tactics) ladderCaptured(q *board.Position, prey board.Color, lib board.Point) bool {
	att := prey.Opponent()
	// A prey that can capture instead is not read as captured.
	for _, d := range dirs {
		if n := lib + d; q.At(n) == prey && q.Liberties(n) == 1 {
			for _, s := range q.Chain(n, t.walk[:0]) {
				for _, d := range dirs {
					if m := s + d; q.At(m) == att && q.Liberties(m) == 1 {
						return false
					}
				}
			}
			break
		}
	}
	for range 2 * t.size {
		if q.Play(prey, lib) != nil {
			return true
		}
		switch l := q.Liberties(lib); {
		case l >= 3:
			return false
		case l <= 1:
			return true
		}
		// The extension may have put attacker chains in atari.
		for _, d := range dirs {
			if n := lib + d; q.At(n) == att && q.Liberties(n) == 1 {
				return false
			}
		}
		var two [2]board.Point
		if t.libsOf(q, lib, 2, &two) < 2 {
			return false
		}
		next := board.Pass
		for i := range 2 {
			x, y := two[i], two[1-i]
			if !q.Legal(att, x) {
				continue
			}
			if t.libsAfter(q, att, x, board.Pass, 2) < 2 {
				continue // the prey would capture the attacking stone
			}
			esc := t.libsAfter(q, prey, y, x, 3) // x is taken
			if esc <= 1 {
				return true
			}
			if esc == 2 && next == board.Pass {
				next, lib = x, y
			}
		}
		if next == board.Pass || q.Play(att, next) != nil {
			return false
		}
	}
	return false
}

// vitalPoint returns the vital point of the empty region containing the
// empty point start if the region is a killable eye space enclosed by
// stones of one colour and the edge: three points (straight or bent), the
// pyramid four, the bulky and crossed fives, the rabbity six. Otherwise it
// returns Pass. The owner is the colour of the enclosing stones.
//
// The points of the region explored (all of it if it has at most 6) are
// left in *reg, the rest of it zero.
func (t *tactics) vitalPoint(start board.Point, reg *[6]board.Point) (vital board.Point, owner board.Color) {
	p := t.pos
	*reg = [6]board.Point{start}
	n := 1
	for i := 0; i < n; i++ {
		for _, d := range dirs {
			e := reg[i] + d
			if !t.on[e] {
				continue
			}
			switch c := p.At(e); c {
			case board.Empty:
				if !inRegion(reg[:n], e) {
					if n == len(reg) {
						return board.Pass, board.Empty
					}
					reg[n] = e
					n++
				}
			default:
				if owner == board.Empty {
					owner = c
				} else if c != owner {
					return board.Pass, board.Empty
				}
			}
		}
	}
	if n < 3 || owner == board.Empty {
		return board.Pass, board.Empty
	}
	// Degrees inside the region.
	edges, maxDeg, atMax := 0, 0, 0
	vital = board.Pass
	for i := range n {
		deg := 0
		for _, d := range dirs {
			if inRegion(reg[:n], reg[i]+d) {
				deg++
			}
		}
		edges += deg
		switch {
		case deg > maxDeg:
			maxDeg, atMax, vital = deg, 1, reg[i]
		case deg == maxDeg:
			atMax++
		}
	}
	edges /= 2
	killable := false
	switch n {
	case 3:
		killable = maxDeg == 2 // straight or bent three
	case 4:
		killable = maxDeg == 3 // pyramid four
	case 5:
		killable = maxDeg == 4 || (maxDeg == 3 && edges == 5) // crossed, bulky five
	case 6:
		killable = maxDeg == 4 && edges == 6 // rabbity six
	}
	if !killable || atMax != 1 {
		return board.Pass, board.Empty
	}
	return vital, owner
}

func inRegion(reg []board.Point, e board.Point) bool {
	for _, r := range reg {
		if r == e {
			return true
		}
	}
	return false
}
