package board

import "math/rand/v2"

// fastRand is a xorshift64* generator for playouts, seeded from the
// caller's *rand.Rand so that a seed still fixes the game.
type fastRand uint64

func (r *fastRand) next() uint64 {
	x := uint64(*r)
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	*r = fastRand(x)
	return x * 0x2545f4914f6cdd1d
}

// intn returns a number in [0, n) for 0 < n < 2^32.
func (r *fastRand) intn(n int) int {
	return int((r.next() >> 32) * uint64(n) >> 32)
}

// PlayoutResult is what a light random playout ends with.
type PlayoutResult struct {
	Score float64 // black area - white area - komi at the end
	Moves int     // moves played, passes included
}

// Playout plays light random moves on p, toMove first, until two passes in
// a row or maxMoves moves (maxMoves <= 0 means 3*size*size), and returns
// the Tromp-Taylor score. Each move is uniform among the legal moves (under
// simple ko) that do not fill the mover's own single-point eye; a player
// with none passes. p is changed: play out a copy.
func (p *Position) Playout(toMove Color, rng *rand.Rand, komi float64, maxMoves int) PlayoutResult {
	if maxMoves <= 0 {
		maxMoves = 3 * p.size * p.size
	}
	r := fastRand(rng.Uint64() | 1)
	c := toMove
	passes, moves := 0, 0
	for moves < maxMoves && passes < 2 {
		pt := p.randomMove(c, &r)
		p.play(c, pt)
		if pt == Pass {
			passes++
		} else {
			passes = 0
		}
		moves++
		c = c.Opponent()
	}
	b, w := p.AreaScore()
	return PlayoutResult{Score: float64(b-w) - komi, Moves: moves}
}

// randomMove picks uniformly among c's legal moves that do not fill its own
// eye, or Pass. It draws without replacement from the empty set, moving
// rejected points to the end of the set's live part (the set is unordered,
// so reordering it is harmless).
func (p *Position) randomMove(c Color, r *fastRand) Point {
	n := p.numEmpty
	for n > 0 {
		i := r.intn(n)
		pt := p.empty[i]
		if (pt != p.ko || c != p.koColor) && !p.IsEye(c, pt) && !p.suicide(c, pt) {
			return pt
		}
		n--
		last := p.empty[n]
		p.empty[i], p.empty[n] = last, pt
		p.emptyAt[last], p.emptyAt[pt] = int16(i), int16(n)
	}
	return Pass
}
