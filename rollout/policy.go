package rollout

import (
	"fmt"
	"math/rand/v2"

	"github.com/tengen-go/tengen/board"
)

// Policy selects moves in playouts. Each rule is tried at a step with its
// probability, in the order of the fields, the first that finds a move
// plays it; the rules that answer the last move are skipped after a pass.
// When no rule plays, the move is uniform among the legal moves that do
// not fill the mover's own single-point eye (and, with SelfAtari, are not
// a self-atari of more than two stones); a player with none passes.
//
// Make one with DefaultPolicy or LightPolicy and change fields for an
// ablation. A Policy is a small value, safe to share between goroutines.
// (The zero value has every rule off: it plays light playouts.)
type Policy struct {
	// Escape: if the last move left chains of ours next to it in atari,
	// save one: capture an opponent chain in atari next to it, or extend
	// when that gives three liberties, or two and no ladder.
	Escape float64
	// Capture: capture an opponent chain in atari, first next to the last
	// move (the last move's chain and the chains at its 8 neighbours),
	// bigger ones more often; a capture into a snapback is left out. After
	// the local rules (below) have had their turn, the rule is tried
	// again, with the same probability, for chains anywhere.
	Capture float64
	// Nakade: if the last move left a killable eye space of 3 to 6 points
	// next to it (straight or bent three, pyramid four, bulky or crossed
	// five, rabbity six), play its vital point.
	Nakade float64
	// TwoLib: when it is not 0, atari the last move's chain whenever it
	// has two liberties and cannot escape the atari (one liberty left
	// after extending, or a ladder), without self-atari: every time, so
	// that a ladder is chased to its end; then, with this probability,
	// give three liberties to a chain of ours with two next to the last
	// move (never by filling an own eye).
	TwoLib float64
	// Patterns: play one of the 8 neighbours of the last move that
	// matches a 3x3 pattern (hane, cuts, edge moves) and is no self-atari.
	Patterns float64
	// SelfAtari: random moves never put a chain of more than two stones
	// in atari (small self-ataris stay: throw-ins, nakade), nor of three
	// unless it is a killing sacrifice (an opponent chain left with no
	// liberty but the one the three stones keep).
	SelfAtari bool
	// Ladders: read ladders (Escape does not run into one, TwoLib ataris
	// that catch in one).
	Ladders bool
	// Replies, if not nil, is a last-good-reply table (LGRF-2) for the
	// board's size: before its other rules a playout plays the stored
	// reply to the last two moves, or to the last move, when it is legal,
	// fills no own eye and is no self-atari of more than two stones, and
	// after the playout the table learns from its moves and result (see
	// Replies). A table for another size is not used. Replies alone makes
	// a policy heavy.
	Replies *Replies
	// RepliesLate tries the stored reply after the tactical rules
	// (Escape, Capture next to the last move, Nakade, TwoLib) instead of
	// before every rule.
	RepliesLate bool
}

// DefaultPolicy returns the heavy policy with every rule on.
func DefaultPolicy() Policy {
	return Policy{
		Escape:    0.9,
		Capture:   0.9,
		Nakade:    0.9,
		TwoLib:    0.8,
		Patterns:  0.9,
		SelfAtari: true,
		Ladders:   true,
	}
}

// LightPolicy returns the light policy: uniform random legal moves that do
// not fill one's own single-point eye, as board.Position.Playout plays.
func LightPolicy() Policy { return Policy{} }

// Name returns "light" if no rule is on (LightPolicy) and "heavy"
// otherwise.
func (p Policy) Name() string {
	if p.heavy() {
		return "heavy"
	}
	return "light"
}

func (p Policy) heavy() bool {
	return p.Escape > 0 || p.Capture > 0 || p.Nakade > 0 || p.TwoLib > 0 || p.Patterns > 0 || p.SelfAtari || p.Replies != nil
}

// Validate reports a probability outside [0, 1].
func (p Policy) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"Escape", p.Escape}, {"Capture", p.Capture}, {"Nakade", p.Nakade}, {"TwoLib", p.TwoLib}, {"Patterns", p.Patterns}} {
		if !(f.v >= 0 && f.v <= 1) {
			return fmt.Errorf("rollout: %s probability %v outside [0, 1]", f.name, f.v)
		}
	}
	return nil
}

// Result is how a playout ended.
type Result struct {
	Score float64 // Tromp-Taylor area, black minus white, minus komi
	Moves int     // moves played, passes included
}

// Playout plays moves on pos (changed in place: pass a copy), toMove
// first, until two passes in a row or maxMoves moves (maxMoves <= 0 means
// 3*size*size), and returns the Tromp-Taylor score of the final position
// and the number of moves. If moves is not nil, every move played is
// appended to *moves (for RAVE/AMAF). last is the move played just before
// the playout (board.Pass if none or unknown), which the rules answer. The
// randomness is drawn from rng once (a seed fixes the playout); nothing
// allocates except appends to *moves beyond its capacity.
func (p Policy) Playout(pos *board.Position, toMove board.Color, last board.Point, komi float64, maxMoves int, rng *rand.Rand, moves *[]board.Move) Result {
	return p.PlayoutAfter(pos, toMove, board.Pass, last, komi, maxMoves, rng, moves)
}

// PlayoutAfter is Playout with the move before last too (board.Pass or
// NoMove if none or unknown), the context of the first reply looked up
// in p.Replies and learnt there.
func (p Policy) PlayoutAfter(pos *board.Position, toMove board.Color, last2, last board.Point, komi float64, maxMoves int, rng *rand.Rand, moves *[]board.Move) Result {
	if last < 0 { // NoMove
		last = board.Pass
	}
	if last2 < 0 || !pos.OnBoard(last2) {
		last2 = board.Pass
	}
	var s runner
	s.pos, s.size, s.on = pos, pos.Size(), &onBoard[pos.Size()] // here, not in a callee: pos must not escape
	s.init(p, rng)
	if maxMoves <= 0 {
		maxMoves = 3 * s.size * s.size
	}
	if !pos.OnBoard(last) {
		last = board.Pass
	}
	c := toMove
	passes, n := 0, 0
	before2, before := last2, last
	prev2 := last2
	for n < maxMoves && passes < 2 {
		pt := board.Pass
		s.played = false
		s.prev2 = prev2
		if s.replies != nil && last != board.Pass && !s.repliesLate {
			pt = s.replyMove(c, prev2, last)
		}
		switch {
		case pt != board.Pass: // a stored reply
		case s.heavy:
			pt = s.heavyMove(c, last)
		default:
			pt = s.randomMove(c)
		}
		if !s.played {
			if err := pos.Play(c, pt); err != nil {
				panic("rollout: policy chose " + c.String() + " " + pt.GTP(s.size) + ": " + err.Error() + "\n" + pos.String())
			}
		}
		if moves != nil {
			*moves = append(*moves, board.Move{Color: c, Point: pt})
		}
		if pt == board.Pass {
			passes++
		} else {
			passes = 0
			if s.capture != 0 {
				s.noteAtari(pt)
			}
		}
		if s.replies != nil && n < len(s.seq) {
			s.seq[n] = pt
		}
		prev2, last = last, pt
		n++
		c = c.Opponent()
	}
	score := s.score(komi)
	if s.replies != nil {
		s.replies.Learn(toMove, before2, before, s.seq[:min(n, len(s.seq))], score)
	}
	return Result{Score: score, Moves: n}
}

// replyMove returns the stored reply of c to prev2, last when it is
// acceptable (empty, legal, not c's own eye, no self-atari of more than
// maxThrowIn stones), else Pass.
func (s *runner) replyMove(c board.Color, prev2, last board.Point) board.Point {
	if m := s.replies.reply2(c, prev2, last); m != board.Pass && s.replyFine(c, m) {
		return m
	}
	if m := s.replies.reply1(c, last); m != board.Pass && s.replyFine(c, m) {
		return m
	}
	return board.Pass
}

// replyFine reports whether c may play the stored reply pt: an empty
// point that is no own eye, legal, and no self-atari of more than
// maxThrowIn stones.
func (s *runner) replyFine(c board.Color, pt board.Point) bool {
	p := s.pos
	return p.At(pt) == board.Empty && !p.IsEye(c, pt) && s.noBigSelfAtari(c, pt)
}

// runner is the state of one playout.
type runner struct {
	tactics
	r fastRand

	// Fixed for the playout.
	heavy                                     bool
	escape, capture, nakade, twoLib, patterns uint64 // chance thresholds
	selfAtari, ladders                        bool

	// Chains that may be in atari (stale entries are dropped when read);
	// atariLost says the list overflowed and the board must be scanned.
	atari     [64]board.Point
	nAtari    int
	atariLost bool

	cand  [32]candidate
	nCand int

	played bool // the move of this step is on the board already

	replies     *Replies    // the policy's reply table (nil: none, or one for another size)
	repliesLate bool        // replies after the tactical rules
	prev2       board.Point // the move before last

	// Around the last move (look).
	win      [winSize]uint8 // contents: Empty, Black, White, edge
	winLibs  [8]int16       // liberties of stones at the neighbours, ring order
	lastLibs int            // liberties of the last move's chain

	empties [maxArea]board.Point // scratch for the exhaustive random move

	seq [maxSeq]board.Point // the playout's moves, for Replies.Learn
}

// maxSeq is how many moves of a playout a reply table learns from.
const maxSeq = 3 * maxArea

type candidate struct {
	pt board.Point
	w  int
}

// maxThrowIn is the largest chain a random move may put in atari when
// SelfAtari is on.
const maxThrowIn = 2

// randomTries is how many points a random move draws (with replacement)
// before it goes through the empty points one by one.
const randomTries = 12

func (s *runner) init(p Policy, rng *rand.Rand) {
	s.r = fastRand(rng.Uint64() | 1)
	s.heavy = p.heavy()
	s.escape = threshold(p.Escape)
	s.capture = threshold(p.Capture)
	s.nakade = threshold(p.Nakade)
	s.twoLib = threshold(p.TwoLib)
	s.patterns = threshold(p.Patterns)
	s.selfAtari = p.SelfAtari
	s.ladders = p.Ladders
	if p.Replies != nil && p.Replies.size == s.size {
		s.replies, s.repliesLate = p.Replies, p.RepliesLate
	}
	if s.capture != 0 {
		s.scanAtari()
	}
}

func (s *runner) heavyMove(c board.Color, last board.Point) board.Point {
	if last != board.Pass {
		s.look(last)
		if s.escape != 0 && s.r.chance(s.escape) {
			if pt := s.escapeMove(c, last); pt != board.Pass {
				return pt
			}
		}
		if s.capture != 0 && s.r.chance(s.capture) {
			if pt := s.localCapture(c, last); pt != board.Pass {
				return pt
			}
		}
		if s.nakade != 0 && s.r.chance(s.nakade) {
			if pt := s.nakadeMove(c, last); pt != board.Pass {
				return pt
			}
		}
		if s.twoLib != 0 {
			// A caught chain is always taken on: a ladder the attacker
			// gives up one step in five is a ladder the playouts escape
			// (docs/strength.md, "Ladders run out").
			if pt := s.catchMove(c, last); pt != board.Pass {
				return pt
			}
			if s.r.chance(s.twoLib) {
				if pt := s.twoLibMove(c, last); pt != board.Pass {
					return pt
				}
			}
		}
		if s.replies != nil && s.repliesLate {
			if pt := s.replyMove(c, s.prev2, last); pt != board.Pass {
				return pt
			}
		}
		if s.patterns != 0 && s.r.chance(s.patterns) {
			if pt := s.patternMove(c, last); pt != board.Pass {
				return pt
			}
		}
	}
	if s.capture != 0 && s.r.chance(s.capture) {
		if pt := s.globalCapture(c); pt != board.Pass {
			return pt
		}
	}
	return s.randomMove(c)
}

// The window is the 5x5 block around the last move, cells indexed
// (dy+2)*5 + dx+2; the inner 3x3 holds the last move and its neighbours.
const (
	winCentre = 12
	winSize   = 25
)

// Window cells of the neighbours of the centre, in pattern code order
// (N, NE, E, SE, S, SW, W, NW), and their offsets on the board.
var (
	winRing  = [8]int{7, 8, 13, 18, 17, 16, 11, 6}
	ringDirs = [8]board.Point{-stride, -stride + 1, 1, stride + 1, stride, stride - 1, -1, -stride - 1}
	// winCode[k] lists the cells of the neighbours of winRing[k], in
	// pattern code order.
	winCode = func() (t [8][8]int) {
		for k, cell := range winRing {
			for i, r := range winRing {
				t[k][i] = cell + r - winCentre
			}
		}
		return t
	}()
)

// look fills the window around last: contents, and liberties of the
// stones of the inner 3x3.
func (s *runner) look(last board.Point) {
	p := s.pos
	x, y := last.XY()
	if x >= 2 && y >= 2 && x < s.size-2 && y < s.size-2 {
		for i, off := range winOffsets {
			s.win[i] = uint8(p.At(last + off))
		}
	} else {
		// Which of the window's rows and columns are on the board.
		var rowOn, colOn [5]bool
		for d := range 5 {
			rowOn[d] = y+d-2 >= 0 && y+d-2 < s.size
			colOn[d] = x+d-2 >= 0 && x+d-2 < s.size
		}
		for i, off := range winOffsets {
			if rowOn[i/5] && colOn[i%5] {
				s.win[i] = uint8(p.At(last + off))
			} else {
				s.win[i] = edge
			}
		}
	}
	for k, i := range winRing {
		if s.win[i] != uint8(board.Empty) && s.win[i] != edge {
			s.winLibs[k] = int16(p.Liberties(last + ringDirs[k]))
		}
	}
	s.lastLibs = p.Liberties(last)
}

// winOffsets are the board offsets of the window cells.
var winOffsets = func() (t [winSize]board.Point) {
	for i := range t {
		t[i] = board.Point((i/5-2)*stride + i%5 - 2)
	}
	return t
}()

// escapeMove saves a chain of c next to last from atari.
func (s *runner) escapeMove(c board.Color, last board.Point) board.Point {
	p := s.pos
	opp := c.Opponent()
	var done [4]board.Point
	for k := 0; k < 8; k += 2 { // N, E, S, W
		if s.win[winRing[k]] != uint8(c) || s.winLibs[k] != 1 {
			continue
		}
		n := last + ringDirs[k]
		l := s.lib(n)
		if l == done[0] || l == done[1] || l == done[2] {
			continue
		}
		done[k/2] = l
		// Capture an opponent chain in atari next to ours.
		for _, st := range p.Chain(n, s.walk[:0]) {
			for _, d := range dirs {
				if m := st + d; p.At(m) == opp && p.Liberties(m) == 1 {
					if cl := s.lib(m); s.legal(c, cl) {
						s.addCand(cl, 2)
					}
				}
			}
		}
		if s.extends(c, l, s.ladders) {
			s.addCand(l, 2)
		}
	}
	return s.pickCand()
}

func (s *runner) legal(c board.Color, pt board.Point) bool {
	k, _ := s.check(c, pt)
	return k != illegal
}

// fine reports whether c may play pt without self-atari.
func (s *runner) fine(c board.Color, pt board.Point) bool {
	k, _ := s.check(c, pt)
	return k == fine
}

// captureAt adds the capture of the opponent's chain at pt, which is in
// atari, if the capture is legal and no snapback.
func (s *runner) captureAt(c board.Color, pt board.Point) {
	l := s.lib(pt)
	if k, size := s.check(c, l); k == fine || (k == selfAtari && size == 1) {
		s.addCand(l, s.pos.ChainSize(pt))
	}
}

// localCapture captures an opponent chain in atari at or next to last.
func (s *runner) localCapture(c board.Color, last board.Point) board.Point {
	if s.lastLibs == 1 && s.pos.At(last) == c.Opponent() {
		s.captureAt(c, last)
	}
	for k, i := range winRing {
		if s.win[i] == uint8(c.Opponent()) && s.winLibs[k] == 1 {
			s.captureAt(c, last+ringDirs[k])
		}
	}
	return s.pickCand()
}

// globalCapture captures an opponent chain in atari anywhere.
func (s *runner) globalCapture(c board.Color) board.Point {
	if s.atariLost {
		s.scanAtari()
	}
	s.compactAtari()
	opp := c.Opponent()
	for _, pt := range s.atari[:s.nAtari] {
		if s.pos.At(pt) == opp {
			s.captureAt(c, pt)
		}
	}
	return s.pickCand()
}

// scanAtari rebuilds the list of chains in atari from the board.
func (s *runner) scanAtari() {
	p := s.pos
	s.nAtari, s.atariLost = 0, false
	for _, pt := range board.Points(s.size) {
		// One stone per chain is enough; skip stones whose left or upper
		// neighbour is of the same chain, which leaves few per chain.
		if c := p.At(pt); c != board.Empty && p.Liberties(pt) == 1 && p.At(pt-1) != c && p.At(pt-stride) != c {
			s.pushAtari(pt)
		}
	}
}

// noteAtari records the chains that the move at pt may have put in atari:
// its own and its neighbours'.
func (s *runner) noteAtari(pt board.Point) {
	p := s.pos
	if p.Liberties(pt) == 1 {
		s.pushAtari(pt)
	}
	for _, d := range dirs {
		if n := pt + d; p.At(n) != board.Empty && p.Liberties(n) == 1 {
			s.pushAtari(n)
		}
	}
}

func (s *runner) pushAtari(pt board.Point) {
	if s.nAtari == len(s.atari) {
		s.compactAtari()
		if s.nAtari == len(s.atari) {
			s.atariLost = true
			return
		}
	}
	s.atari[s.nAtari] = pt
	s.nAtari++
}

// compactAtari drops entries no longer in atari, and repeated points.
func (s *runner) compactAtari() {
	p := s.pos
	k := 0
	for _, pt := range s.atari[:s.nAtari] {
		if p.Liberties(pt) != 1 {
			continue
		}
		dup := false
		for _, q := range s.atari[:k] {
			if q == pt {
				dup = true
				break
			}
		}
		if !dup {
			s.atari[k] = pt
			k++
		}
	}
	s.nAtari = k
}

// nakadeMove plays the vital point of an eye space next to last. A stone
// that closes an eye space has at most two empty neighbours; a stone with
// more is not looked at (it would mostly be in open space).
func (s *runner) nakadeMove(c board.Color, last board.Point) board.Point {
	empties := 0
	for k := 0; k < 8; k += 2 {
		if s.win[winRing[k]] == uint8(board.Empty) {
			empties++
		}
	}
	if empties == 0 || empties > 2 {
		return board.Pass
	}
	var reg [6]board.Point
	for k := 0; k < 8; k += 2 {
		i := winRing[k]
		e := last + ringDirs[k]
		if s.win[i] != uint8(board.Empty) || inRegion(reg[:], e) {
			continue // a stone, off the board, or a region already seen
		}
		// Quick rejections from the window: a stone of c next to e (the
		// region is not enclosed by one colour), or e in open space.
		if s.win[i-5] == uint8(c) || s.win[i+5] == uint8(c) || s.win[i-1] == uint8(c) || s.win[i+1] == uint8(c) ||
			s.win[i-6]|s.win[i-5]|s.win[i-4]|s.win[i-1]|s.win[i+1]|s.win[i+4]|s.win[i+5]|s.win[i+6] == uint8(board.Empty) {
			continue
		}
		if v, _ := s.vitalPoint(e, &reg); v != board.Pass && s.legal(c, v) {
			return v
		}
	}
	return board.Pass
}

// catchMove ataris the last move's chain if it has two liberties and
// cannot escape: at most one liberty after extending, or a ladder when
// ladders are read.
func (s *runner) catchMove(c board.Color, last board.Point) board.Point {
	if s.lastLibs != 2 {
		return board.Pass
	}
	var two [2]board.Point
	s.libsOf(s.pos, last, 2, &two)
	for i := range 2 {
		if s.ataris(c, two[i], two[1-i], s.ladders) == 2 {
			s.addCand(two[i], 2)
		}
	}
	return s.pickCand()
}

// twoLibMove gives liberties to a chain of c's with two next to last.
func (s *runner) twoLibMove(c board.Color, last board.Point) board.Point {
	p := s.pos
	var two [2]board.Point
	for k := 0; k < 8; k += 2 {
		if s.win[winRing[k]] != uint8(c) || s.winLibs[k] != 2 {
			continue
		}
		s.libsOf(p, last+ringDirs[k], 2, &two)
		for _, l := range two {
			// Never into an own eye: a chain whose two liberties are
			// eyes is alive, and filling one kills it. Three liberties
			// after the move: not suicide, and not a ko capture (one
			// liberty), so legal.
			if !p.IsEye(c, l) && s.libsAfter(p, c, l, board.Pass, 3) >= 3 {
				s.addCand(l, 1)
			}
		}
	}
	return s.pickCand()
}

// patternMove plays a neighbour of last matching a 3x3 pattern.
func (s *runner) patternMove(c board.Color, last board.Point) board.Point {
	for k, i := range winRing {
		if s.win[i] != uint8(board.Empty) {
			continue
		}
		var code uint16
		for j, w := range winCode[k] {
			code |= uint16(s.win[w]) << (2 * j)
		}
		if !patternTable.good(code, c) {
			continue
		}
		if e := last + ringDirs[k]; s.fine(c, e) {
			s.addCand(e, 1)
		}
	}
	return s.pickCand()
}

// randomMove draws a uniform acceptable move, or Pass if there is none.
// Without SelfAtari the move is played on the way (the board checks its
// legality as it plays) and s.played is set.
func (s *runner) randomMove(c board.Color) board.Point {
	empty := s.pos.EmptyPoints()
	n := len(empty)
	if n == 0 {
		return board.Pass
	}
	for range randomTries {
		if pt := empty[s.r.intn(n)]; s.acceptable(c, pt) {
			return pt
		}
	}
	// Draw without replacement from a copy (playing a move changes the
	// empty points, but then the draw is over).
	buf := s.empties[:n]
	copy(buf, empty)
	for n > 0 {
		i := s.r.intn(n)
		pt := buf[i]
		if s.acceptable(c, pt) {
			return pt
		}
		n--
		buf[i] = buf[n]
	}
	return board.Pass
}

// acceptable reports whether c may play the empty point pt as a random
// move: legal, not in its own eye, no big self-atari (with SelfAtari).
// Without SelfAtari an acceptable move is played.
func (s *runner) acceptable(c board.Color, pt board.Point) bool {
	p := s.pos
	if p.IsEye(c, pt) {
		return false
	}
	if !s.selfAtari {
		s.played = p.Play(c, pt) == nil
		return s.played
	}
	return s.noBigSelfAtari(c, pt)
}

// noBigSelfAtari reports whether c's move at the empty point pt is legal
// and puts no chain of more than maxThrowIn stones in atari, unless it is
// a killing sacrifice of one more (tactics.sacrifice).
func (s *runner) noBigSelfAtari(c board.Color, pt board.Point) bool {
	switch k, size, lib := s.checkLib(c, pt); k {
	case illegal:
		return false
	case selfAtari:
		return size <= maxThrowIn || s.sacrifice(c, pt, size, lib)
	}
	return true
}

// score returns the Tromp-Taylor score of the position minus komi.
func (s *runner) score(komi float64) float64 {
	p := s.pos
	b, w := p.Stones(board.Black), p.Stones(board.White)
	var mark [maxPoint]bool
	stack := s.empties[:0]
	for _, pt := range p.EmptyPoints() {
		if mark[pt] {
			continue
		}
		mark[pt] = true
		stack = append(stack[:0], pt)
		region, reach := 0, 0
		for len(stack) > 0 {
			q := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			region++
			for _, d := range dirs {
				e := q + d
				if !s.on[e] {
					continue
				}
				switch col := p.At(e); col {
				case board.Empty:
					if !mark[e] {
						mark[e] = true
						stack = append(stack, e)
					}
				default:
					reach |= 1 << col
				}
			}
		}
		switch reach {
		case 1 << board.Black:
			b += region
		case 1 << board.White:
			w += region
		}
	}
	return float64(b-w) - komi
}

// addCand adds a candidate move, keeping the larger weight of a point
// added twice.
func (s *runner) addCand(pt board.Point, w int) {
	for i := range s.nCand {
		if s.cand[i].pt == pt {
			s.cand[i].w = max(s.cand[i].w, w)
			return
		}
	}
	if s.nCand < len(s.cand) {
		s.cand[s.nCand] = candidate{pt, w}
		s.nCand++
	}
}

// pickCand draws a candidate with probability proportional to its weight
// and clears the list; Pass if it is empty.
func (s *runner) pickCand() board.Point {
	n := s.nCand
	s.nCand = 0
	switch n {
	case 0:
		return board.Pass
	case 1:
		return s.cand[0].pt
	}
	sum := 0
	for _, c := range s.cand[:n] {
		sum += c.w
	}
	r := s.r.intn(sum)
	for _, c := range s.cand[:n] {
		if r < c.w {
			return c.pt
		}
		r -= c.w
	}
	return s.cand[n-1].pt
}
