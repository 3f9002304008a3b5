package rollout

import (
	"fmt"
	"sync/atomic"

	"github.com/tengen-go/tengen/board"
)

// Replies is a last-good-reply table with forgetting (LGRF-2, Baier and
// Drake 2010): for each colour, the reply that colour last played in a
// won playout to the previous move (LGRF-1) and to the previous two
// moves (LGRF-2). After a playout the winner's replies are stored and
// the loser's are forgotten where the table holds the very move the
// loser played. A policy with a table tries the stored reply to the last
// two moves, then to the last move, before its other rules; so replies
// that won in the search's recent playouts (the right answer in a
// capturing race, the move that saves a big group) come back in later
// playouts of the same search, where the fixed rules do not know them.
//
// One table serves one board size; it is safe for concurrent use by the
// playouts of every search goroutine (each entry is read and written
// atomically; a playout may see another's update half way, which only
// changes which reply it tries). Keep it for the whole game: tree reuse
// keeps the positions it learnt from.
type Replies struct {
	size int
	n    int             // entries per context: size*size + 1 (0: pass or none)
	idx  [maxPoint]int16 // board point -> compact index (0: pass, off board)
	one  [2][]int32      // [colour][prev]: the reply, a board.Point; 0: none
	two  [2][]int32      // [colour][prev2*n + prev]
}

// NewReplies returns an empty table for size x size boards.
func NewReplies(size int) *Replies {
	if size < board.MinSize || size > board.MaxSize {
		panic(fmt.Sprintf("rollout: NewReplies(%d): size outside %d..%d", size, board.MinSize, board.MaxSize))
	}
	r := &Replies{size: size, n: size*size + 1}
	for _, pt := range board.Points(size) {
		x, y := pt.XY()
		r.idx[pt] = int16(y*size + x + 1)
	}
	for c := range 2 {
		r.one[c] = make([]int32, r.n)
		r.two[c] = make([]int32, r.n*r.n)
	}
	return r
}

// Size returns the board size the table is for.
func (r *Replies) Size() int { return r.size }

// Reply returns the stored reply of colour c to the moves prev2, prev
// (prev the later; board.Pass for none): the LGRF-2 entry if there is
// one, else the LGRF-1 entry, else board.Pass.
func (r *Replies) Reply(c board.Color, prev2, prev board.Point) board.Point {
	if m := r.reply2(c, prev2, prev); m != board.Pass {
		return m
	}
	return r.reply1(c, prev)
}

func colourIndex(c board.Color) int {
	if c == board.White {
		return 1
	}
	return 0
}

func (r *Replies) reply1(c board.Color, prev board.Point) board.Point {
	return board.Point(atomic.LoadInt32(&r.one[colourIndex(c)][r.idx[prev]]))
}

func (r *Replies) reply2(c board.Color, prev2, prev board.Point) board.Point {
	return board.Point(atomic.LoadInt32(&r.two[colourIndex(c)][int(r.idx[prev2])*r.n+int(r.idx[prev])]))
}

// Learn updates the table from one finished playout: moves[i] was played
// by the colour first for even i and its opponent for odd i, after the
// context moves before2 and before (board.Pass where unknown), and the
// playout ended with score (black minus white, komi included): positive,
// Black won; negative, White; zero, nothing is learnt. Passes are never
// stored as replies.
func (r *Replies) Learn(first board.Color, before2, before board.Point, moves []board.Point, score float64) {
	if score == 0 {
		return
	}
	winner := board.Black
	if score < 0 {
		winner = board.White
	}
	p2, p1 := before2, before
	c := first
	for _, m := range moves {
		if m != board.Pass {
			ci := colourIndex(c)
			e1 := &r.one[ci][r.idx[p1]]
			e2 := &r.two[ci][int(r.idx[p2])*r.n+int(r.idx[p1])]
			if c == winner {
				atomic.StoreInt32(e1, int32(m))
				atomic.StoreInt32(e2, int32(m))
			} else {
				atomic.CompareAndSwapInt32(e1, int32(m), 0)
				atomic.CompareAndSwapInt32(e2, int32(m), 0)
			}
		}
		p2, p1 = p1, m
		c = c.Opponent()
	}
}
