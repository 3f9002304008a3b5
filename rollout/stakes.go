package rollout

import "github.com/tengen-go/tengen/board"

// Stakes writes, for every point of pos (index y*size+x for
// board.PointAt(x, y); len(stakes) >= size*size), what c's move there
// does to the chains in atari and the chains a ladder or a net can
// catch, as the playouts read them: the number of stones it captures,
// saves (extending from atari with three liberties or two and no ladder,
// or capturing next to a chain in atari) or catches (an atari the chain
// cannot escape), the largest of these; Doomed for a move that only
// extends a chain in atari that stays caught; 0 otherwise. A search
// whose priors come from a network that has not learnt ladders or big
// captures (human games seldom show them) uses it to correct them
// (mcts.MixedEvaluator.Doomed and Stake). pos is only read; nothing
// allocates.
func Stakes(pos *board.Position, c board.Color, stakes []int16) {
	var t tactics
	t.pos, t.size, t.on = pos, pos.Size(), &onBoard[pos.Size()]
	n := t.size
	opp := c.Opponent()
	for i := range stakes[:n*n] {
		stakes[i] = 0
	}
	idx := func(pt board.Point) int {
		x, y := pt.XY()
		return y*n + x
	}
	raise := func(pt board.Point, k int) {
		if i := idx(pt); int(stakes[i]) < k {
			stakes[i] = int16(k)
		}
	}
	var seen, doomed [maxPoint]bool
	var two [2]board.Point
	for _, pt := range board.Points(n) {
		col := pos.At(pt)
		if col == board.Empty || seen[pt] {
			continue
		}
		chain := pos.Chain(pt, t.walk[:0])
		k := len(chain)
		for _, s := range chain {
			seen[s] = true
		}
		switch libs := pos.Liberties(pt); {
		case libs == 1 && col == opp:
			if l := t.lib(pt); pos.Legal(c, l) {
				raise(l, k)
			}
		case libs == 1 && col == c:
			l := t.lib(pt)
			if t.extends(c, l, true) {
				raise(l, k)
			} else {
				doomed[l] = true
			}
			// Capturing next to the chain saves it.
			for _, s := range pos.Chain(pt, t.walk[:0]) {
				for _, d := range dirs {
					if m := s + d; pos.At(m) == opp && pos.Liberties(m) == 1 {
						var one [2]board.Point
						t.libsOf(pos, m, 1, &one)
						if pos.Legal(c, one[0]) {
							raise(one[0], k)
						}
					}
				}
			}
		case libs == 2 && col == opp:
			t.libsOf(pos, pt, 2, &two)
			for i := range 2 {
				if t.ataris(c, two[i], two[1-i], true) == 2 {
					raise(two[i], k)
				}
			}
		}
	}
	for _, pt := range board.Points(n) {
		if i := idx(pt); doomed[pt] && stakes[i] == 0 {
			stakes[i] = Doomed
		}
	}
}

// Doomed is Stakes' mark of a move that only extends a chain in atari
// that stays caught.
const Doomed = -1
