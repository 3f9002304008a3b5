package rollout

import "github.com/tengen-go/tengen/board"

// A chainMove is what a move does to one chain, as tactics.chainMoves
// reads it.
type chainMove uint8

const (
	capturesChain  chainMove = iota // takes an opponent chain in atari (legality not checked)
	escapesAtari                    // extends the mover's chain in atari, which then escapes (ladders read)
	doomedEscape                    // extends the mover's chain in atari, which stays caught
	counterCapture                  // takes an opponent chain in atari next to the mover's chain in atari (legality not checked; once per adjacent stone)
	catchesChain                    // ataris an opponent two-liberty chain that cannot escape (a net, a ladder)
	chasesChain                     // ataris it, and it escapes with two liberties
	defendsChain                    // gives the mover's two-liberty chain three liberties or more
)

// chainMoves walks the chains of t.pos once and calls visit(kind, pt, k)
// for each thing c's move at pt would do to a chain of k stones: the
// tactics that Priors weighs and Stakes counts, read in one place.
// defends asks for defendsChain too (it costs a MoveInfo per liberty).
// The stones of every chain are marked in seen. visit must not keep
// t's buffers; nothing allocates.
func (t *tactics) chainMoves(c board.Color, seen *[maxPoint]bool, defends bool, visit func(kind chainMove, pt board.Point, k int)) {
	pos := t.pos
	opp := c.Opponent()
	var two [2]board.Point
	for _, pt := range board.Points(t.size) {
		col := pos.At(pt)
		if col == board.Empty || seen[pt] {
			continue
		}
		libs := pos.Liberties(pt)
		chain := pos.Chain(pt, t.walk[:0])
		k := len(chain)
		for _, s := range chain {
			seen[s] = true
		}
		switch {
		case libs == 1 && col == opp:
			visit(capturesChain, t.lib(pt), k)
		case libs == 1 && col == c:
			if l := t.lib(pt); t.extends(c, l, true) {
				visit(escapesAtari, l, k)
			} else {
				visit(doomedEscape, l, k)
			}
			// Capturing next to the chain saves it. extends may have
			// reused t.walk: walk the chain again (libsOf walks in
			// t.buf).
			for _, s := range pos.Chain(pt, t.walk[:0]) {
				for _, d := range dirs {
					if m := s + d; pos.At(m) == opp && pos.Liberties(m) == 1 {
						var one [2]board.Point
						t.libsOf(pos, m, 1, &one)
						visit(counterCapture, one[0], k)
					}
				}
			}
		case libs == 2 && col == opp:
			t.libsOf(pos, pt, 2, &two)
			for i := range 2 {
				switch t.ataris(c, two[i], two[1-i], true) {
				case 2:
					visit(catchesChain, two[i], k)
				case 1:
					visit(chasesChain, two[i], k)
				}
			}
		case libs == 2 && col == c && defends:
			t.libsOf(pos, pt, 2, &two)
			for _, l := range two {
				if pos.Legal(c, l) && pos.MoveInfo(c, l).Liberties >= 3 {
					visit(defendsChain, l, k)
				}
			}
		}
	}
}
