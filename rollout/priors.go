package rollout

import "github.com/tengen-go/tengen/board"

// Weights of Priors: a plain legal move weighs 1.
const (
	priorEye        = 0.001 // filling one's own single-point eye
	priorCaptureMin = 4     // a capture weighs this plus the stones taken (up to 8)
	priorEscapeMin  = 3     // saving a chain in atari weighs this plus its stones (up to 8)
	priorDoomed     = 0.3   // extends a chain in atari that stays caught
	priorCatchMin   = 2     // an atari on a chain that cannot escape weighs this plus its stones (up to 8)
	priorAtari      = 1.3   // atari that only chases
	priorDefend     = 2     // gives a two-liberty chain three liberties
	priorPattern    = 2     // a 3x3 pattern move
	priorNearLast   = 1.5   // extra for a pattern move next to the last move
	priorNakade     = 4     // vital point of an eye space
	priorSelfAtari  = 0.05  // self-atari that captures nothing
	priorSacrifice  = 3     // a killing sacrifice of three stones (tactics.sacrifice)
	priorFirstLine  = 0.25  // first line while the board is emptier than a quarter
	priorPass       = 0.05  // pass
	priorPassAfter  = 1     // pass after the opponent passed
)

// Priors writes move priors for toMove into priors (len size*size+1:
// points row-major from the top left, index y*size+x for board.PointAt(x,
// y), then pass), from the knowledge of the heavy playouts: captures (the
// more stones the more), escapes from atari that work (no ladder),
// ataris that catch, defence of two-liberty chains, 3x3 pattern moves
// (more next to last), the vital points of eye spaces; self-ataris and
// filling one's own eye weigh little, plain moves on the first line little
// while the board is emptier than a quarter, pass little unless last is a pass on a
// board with stones (NoMove: no last move). Illegal moves get 0. The values are
// non-negative, on no particular scale. pos is only read. Nothing
// allocates. Precondition: len(priors) >= size*size+1.
func Priors(pos *board.Position, toMove board.Color, last board.Point, priors []float32) {
	var t tactics
	t.pos, t.size, t.on = pos, pos.Size(), &onBoard[pos.Size()]
	n := t.size
	c := toMove
	for i := range priors[:n*n+1] {
		priors[i] = 0
	}

	// Per point: stones captured, and multipliers from the tactics. The
	// stake: a chain's stones (up to 8) weigh its saving and its
	// catching, as captures are weighed by the stones taken.
	var captured [maxPoint]int16
	var mul [maxPoint]float32
	var seen [maxPoint]bool
	for _, pt := range board.Points(n) {
		mul[pt] = 1
	}
	t.chainMoves(c, &seen, true, func(kind chainMove, pt board.Point, k int) {
		stake := float32(min(k, 8))
		switch kind {
		case capturesChain:
			captured[pt] += int16(k)
		case escapesAtari, counterCapture:
			mul[pt] *= priorEscapeMin + stake
		case doomedEscape:
			mul[pt] *= priorDoomed
		case catchesChain:
			mul[pt] *= priorCatchMin + stake
		case chasesChain:
			mul[pt] *= priorAtari
		case defendsChain:
			mul[pt] *= priorDefend
		}
	})

	// Vital points of eye spaces (each small region once).
	var vital [maxPoint]bool
	for _, pt := range board.Points(n) {
		if pos.At(pt) != board.Empty || seen[pt] {
			continue
		}
		var reg [6]board.Point
		v, _ := t.vitalPoint(pt, &reg)
		if v != board.Pass {
			vital[v] = true
		}
		// Mark the region (any size) as done.
		stack := append(t.buf[:0], pt)
		seen[pt] = true
		for len(stack) > 0 {
			q := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, d := range dirs {
				if e := q + d; t.on[e] && !seen[e] && pos.At(e) == board.Empty {
					seen[e] = true
					stack = append(stack, e)
				}
			}
		}
	}

	early := pos.Stones(board.Black)+pos.Stones(board.White) < n*n/4
	for i, pt := range board.Points(n) {
		if pos.At(pt) != board.Empty {
			continue
		}
		if pos.IsEye(c, pt) {
			if pos.Legal(c, pt) {
				priors[i] = priorEye
			}
			continue
		}
		kind, size, lib := t.checkLib(c, pt)
		if kind == illegal {
			continue
		}
		w := float32(1)
		if k := captured[pt]; k > 0 {
			w = priorCaptureMin + float32(min(k, 8))
		}
		w *= mul[pt]
		if t.matches(c, pt) {
			w *= priorPattern
			if near(pt, last) {
				w *= priorNearLast
			}
		}
		switch {
		case vital[pt]:
			w *= priorNakade
		case kind == selfAtari && captured[pt] == 0:
			if t.sacrifice(c, pt, size, lib) {
				w *= priorSacrifice
			} else {
				w *= priorSelfAtari
			}
		case w == 1 && early && n >= 7:
			// A plain move (no tactics, no pattern) on the first line.
			if x, y := pt.XY(); x == 0 || y == 0 || x == n-1 || y == n-1 {
				w *= priorFirstLine
			}
		}
		priors[i] = w
	}
	priors[n*n] = priorPass
	if last == board.Pass && pos.Stones(board.Black)+pos.Stones(board.White) > 0 {
		priors[n*n] = priorPassAfter
	}
}

// NoMove is the last move of a position no move led to (a game's start,
// a setup): unlike board.Pass, it does not mean the opponent passed, so
// Priors keeps pass small. Playout reads it as Pass.
const NoMove board.Point = -1

// near reports whether a and b are neighbours or diagonal neighbours.
func near(a, b board.Point) bool {
	if b <= board.Pass { // Pass or NoMove
		return false
	}
	d := a - b
	return d == -stride-1 || d == -stride || d == -stride+1 || d == -1 || d == 1 || d == stride-1 || d == stride || d == stride+1
}
