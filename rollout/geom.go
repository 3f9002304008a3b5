package rollout

import (
	"fmt"

	"github.com/tengen-go/tengen/board"
)

// The board package lays points out in a letterboxed array with a fixed
// row stride (board.PointAt(x, y) = (y+1)*stride + x + 1): neighbours are
// a constant offset away on every board size. init checks the assumption.
const (
	stride   = board.MaxSize + 1
	maxPoint = (board.MaxSize+2)*stride + 1 // every point, its neighbours and diagonals
	maxArea  = board.MaxSize * board.MaxSize
)

// Offsets of the four neighbours.
var dirs = [4]board.Point{-stride, -1, 1, stride}

// onBoard[size][pt] says whether pt is an intersection of a size x size
// board. Built at start-up, read-only afterwards.
var onBoard = func() (t [board.MaxSize + 1][maxPoint]bool) {
	for n := board.MinSize; n <= board.MaxSize; n++ {
		for _, pt := range board.Points(n) {
			t[n][pt] = true
		}
	}
	return t
}()

func init() {
	if board.PointAt(0, 1)-board.PointAt(0, 0) != stride || board.PointAt(1, 0)-board.PointAt(0, 0) != 1 ||
		int(board.PointAt(board.MaxSize-1, board.MaxSize-1))+stride+1 >= maxPoint {
		panic(fmt.Sprintf("rollout: board point layout changed (stride %d)", board.PointAt(0, 1)-board.PointAt(0, 0)))
	}
}

// edge is the pattern code of a point off the board (Empty, Black and
// White are 0, 1 and 2).
const edge = 3

// fastRand is a xorshift64* generator, seeded from the caller's *rand.Rand
// so that a seed fixes the playout.
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

// chance returns true with probability t/2^32 (t from threshold).
func (r *fastRand) chance(t uint64) bool {
	return r.next()>>32 < t
}

// threshold converts a probability to a chance threshold: 0 never, 1
// always.
func threshold(p float64) uint64 {
	switch {
	case p <= 0 || p != p:
		return 0
	case p >= 1:
		return 1 << 32
	}
	return uint64(p * (1 << 32))
}
