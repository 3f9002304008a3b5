package nets

import (
	"sync"

	"github.com/tengen-go/tengen/board"
)

// LadderBudget is the most positions one ladder question reads (every
// move tried counts one). A ladder that needs more is read as not working:
// neither a ladder capture nor a failed escape. A plain ladder across a
// 19x19 board takes about 150.
const LadderBudget = 1000

// ladderReader reads ladders: the attacker gives atari at one of the
// prey's two liberties, the prey extends at its last liberty or captures
// an attacker chain in atari that touches it, until the prey has three
// liberties (it escaped), or one after extending (it is captured). Both
// sides try every such move, so a ladder breaker, a counter-atari or a
// snapback is found. It keeps one board per ply so that reading does not
// allocate once warm.
type ladderReader struct {
	stack []board.Position
	nodes int
	walk  []board.Point
	libs  []board.Point
}

var ladderPool = sync.Pool{New: func() any { return new(ladderReader) }}

// at returns the board of ply d, a copy of p.
func (r *ladderReader) at(d int, p *board.Position) *board.Position {
	for len(r.stack) <= d {
		r.stack = append(r.stack, board.Position{})
	}
	q := &r.stack[d]
	*q = *p
	return q
}

// spent counts one position read and reports whether the budget is gone.
func (r *ladderReader) spent() bool {
	r.nodes++
	return r.nodes > LadderBudget
}

// captured reports whether the chain at pt, in atari with its owner to
// move, is lost to a ladder: every defence (extending at its liberty, or
// capturing an attacker chain in atari next to it) leaves a chain the
// attacker captures by atari after atari. Out of budget it says false.
func (r *ladderReader) captured(p *board.Position, pt board.Point, depth int) bool {
	if r.spent() {
		return false
	}
	prey := p.At(pt)
	att := prey.Opponent()
	// Captures first: the liberties of attacker chains in atari that touch
	// the prey. The prey's stones are walked into a buffer of this ply
	// (deeper plies reuse the shared ones).
	var buf [board.MaxSize * board.MaxSize]board.Point
	chain := p.Chain(pt, buf[:0])
	var tried [8]board.Point
	nt := 0
	for _, s := range chain {
		for _, n := range neighbours(s) {
			if p.At(n) != att || p.Liberties(n) != 1 {
				continue
			}
			lib := r.liberty(p, n)
			dup := lib == board.Pass
			for _, t := range tried[:nt] {
				dup = dup || t == lib
			}
			if dup || nt == len(tried) {
				continue
			}
			tried[nt] = lib
			nt++
			q := r.at(depth, p)
			if q.Play(prey, lib) != nil {
				continue
			}
			if !r.attackWins(q, pt, depth+1) || r.nodes > LadderBudget {
				return false
			}
		}
	}
	lib := r.liberty(p, pt)
	q := r.at(depth, p)
	if lib == board.Pass || q.Play(prey, lib) != nil {
		return true // no liberty to extend at (suicide or ko): captured
	}
	return r.attackWins(q, pt, depth+1)
}

// attackWins reports whether the attacker, to move, captures the chain at
// pt by ladder: at once when it has one liberty, never when it has three
// or more, and with two by an atari at either liberty after which the
// chain is captured.
func (r *ladderReader) attackWins(p *board.Position, pt board.Point, depth int) bool {
	if r.spent() {
		return false
	}
	prey := p.At(pt)
	att := prey.Opponent()
	switch p.Liberties(pt) {
	case 1:
		return p.Legal(att, r.liberty(p, pt))
	case 2:
	default:
		return false
	}
	var two [2]board.Point
	libs := r.chainLibs(p, pt)
	copy(two[:], libs)
	for _, x := range two {
		q := r.at(depth, p)
		if q.Play(att, x) != nil || q.At(pt) != prey || q.Liberties(pt) != 1 {
			continue
		}
		if r.captured(q, pt, depth+1) {
			return true
		}
		if r.nodes > LadderBudget {
			return false
		}
	}
	return false
}

// liberty returns a liberty of the chain at pt (its only one, in atari),
// or Pass if it has none.
func (r *ladderReader) liberty(p *board.Position, pt board.Point) board.Point {
	if l := r.chainLibs(p, pt); len(l) > 0 {
		return l[0]
	}
	return board.Pass
}

// chainLibs returns the distinct liberties of the chain at pt, at most
// two (in r.libs).
func (r *ladderReader) chainLibs(p *board.Position, pt board.Point) []board.Point {
	libs := r.libs[:0]
	walk := p.Chain(pt, r.walk[:0])
	r.walk = walk[:0]
	for _, s := range walk {
		for _, n := range neighbours(s) {
			if !p.OnBoard(n) || p.At(n) != board.Empty {
				continue
			}
			dup := false
			for _, l := range libs {
				dup = dup || l == n
			}
			if !dup {
				libs = append(libs, n)
				if len(libs) == 2 {
					r.libs = libs[:0]
					return libs
				}
			}
		}
	}
	r.libs = libs[:0]
	return libs
}

// neighbours returns the four orthogonal neighbours of pt (some may be off
// the board: callers check).
func neighbours(pt board.Point) [4]board.Point {
	x, y := pt.XY()
	return [4]board.Point{board.PointAt(x, y-1), board.PointAt(x-1, y), board.PointAt(x+1, y), board.PointAt(x, y+1)}
}

// LadderCaptures reports the moves of c that capture an opponent chain in
// a ladder: legal points whose stone puts a chain of two liberties in
// atari that cannot escape (extending, or capturing a chain next to it,
// always leaves it to be captured by atari after atari). It calls mark for
// each such point once, in board order.
func LadderCaptures(p *board.Position, c board.Color, mark func(board.Point)) {
	r := ladderPool.Get().(*ladderReader)
	defer ladderPool.Put(r)
	opp := c.Opponent()
	for _, m := range board.Points(p.Size()) {
		if p.At(m) != board.Empty || !p.Legal(c, m) {
			continue
		}
		nb := neighbours(m)
		for i, n := range nb {
			if p.At(n) != opp || p.Liberties(n) != 2 {
				continue
			}
			dup := false
			for _, o := range nb[:i] {
				dup = dup || p.At(o) == opp && sameChain(p, o, n, r)
			}
			if dup {
				continue
			}
			q := r.at(0, p)
			if q.Play(c, m) != nil || q.At(n) != opp || q.Liberties(n) != 1 {
				continue
			}
			r.nodes = 0
			if r.captured(q, n, 1) {
				mark(m)
				break
			}
		}
	}
}

// LadderEscapes reports the moves of c that save one of its chains in
// atari: extending at its liberty, or capturing an opponent chain in atari
// next to it, after which it has three liberties or more, or two and no
// ladder captures it. It calls mark for each such point at least once.
func LadderEscapes(p *board.Position, c board.Color, mark func(board.Point)) {
	r := ladderPool.Get().(*ladderReader)
	defer ladderPool.Put(r)
	opp := c.Opponent()
	var chain [board.MaxSize * board.MaxSize]board.Point
	var seen [board.MaxSize*board.MaxSize + 1]bool // by index in Points: stones of chains done
	pts := board.Points(p.Size())
	index := func(pt board.Point) int { x, y := pt.XY(); return y*p.Size() + x }
	var cands [16]board.Point
	for _, pt := range pts {
		if p.At(pt) != c || p.Liberties(pt) != 1 || seen[index(pt)] {
			continue
		}
		stones := p.Chain(pt, chain[:0])
		for _, s := range stones {
			seen[index(s)] = true
		}
		// The candidates: the liberty, and the liberties of opponent
		// chains in atari that touch the chain.
		nc := 0
		cands[nc] = r.liberty(p, pt)
		nc++
		for _, s := range stones {
			for _, n := range neighbours(s) {
				if p.At(n) == opp && p.Liberties(n) == 1 && nc < len(cands) {
					cands[nc] = r.liberty(p, n)
					nc++
				}
			}
		}
		for i, m := range cands[:nc] {
			dup := m == board.Pass
			for _, o := range cands[:i] {
				dup = dup || o == m
			}
			if dup {
				continue
			}
			q := r.at(0, p)
			if q.Play(c, m) != nil || q.At(pt) != c || q.Liberties(pt) < 2 {
				continue
			}
			r.nodes = 0
			if !r.attackWins(q, pt, 1) {
				mark(m)
			}
		}
	}
}

// sameChain reports whether a and b are stones of one chain.
func sameChain(p *board.Position, a, b board.Point, r *ladderReader) bool {
	if a == b {
		return true
	}
	if p.At(a) != p.At(b) || p.At(a) == board.Empty {
		return false
	}
	walk := p.Chain(a, r.walk[:0])
	r.walk = walk[:0]
	for _, s := range walk {
		if s == b {
			return true
		}
	}
	return false
}
