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
	for i := range stakes[:n*n] {
		stakes[i] = 0
	}
	idx := func(pt board.Point) int {
		x, y := pt.XY()
		return y*n + x
	}
	var seen, doomed [maxPoint]bool
	t.chainMoves(c, &seen, false, func(kind chainMove, pt board.Point, k int) {
		switch kind {
		case capturesChain, counterCapture:
			if !pos.Legal(c, pt) {
				return
			}
		case doomedEscape:
			doomed[pt] = true
			return
		case escapesAtari, catchesChain:
		default:
			return
		}
		if i := idx(pt); int(stakes[i]) < k {
			stakes[i] = int16(k)
		}
	})
	for _, pt := range board.Points(n) {
		if i := idx(pt); doomed[pt] && stakes[i] == 0 {
			stakes[i] = Doomed
		}
	}
}

// Doomed is Stakes' mark of a move that only extends a chain in atari
// that stays caught.
const Doomed = -1
