package rollout

import (
	"math/rand/v2"

	"github.com/tengen-go/tengen/board"
)

// Ownership plays n playouts from pos (unchanged) and returns, per point
// of board.Points(size) in order, the mean final owner by Tromp-Taylor
// area: +1 Black in every playout, -1 White, 0 neither (dame, seki) or an
// even split. The playouts alternate which side moves first, toMove in
// the even ones and its opponent in the odd ones, since whoever moves
// first in a seki tends to fill a shared liberty and lose it. It is the
// dead-stone judge of final positions (dataset.Count, GTP's
// final_status_list and final_score): with DefaultPolicy it agrees with
// GNU Go's final_status_list dead on 75 of 80 counted 19x19 game ends,
// light playouts on 49 (docs/networks.md). n < 1 is taken as 1.
func (p Policy) Ownership(pos *board.Position, toMove board.Color, komi float64, n int, rng *rand.Rand) []float32 {
	n = max(n, 1)
	sum := make([]int32, len(board.Points(pos.Size())))
	first := func(i int) board.Color {
		if i%2 == 1 {
			return toMove.Opponent()
		}
		return toMove
	}
	p.OwnerSums(pos, first, board.Pass, komi, n, rng, sum)
	own := make([]float32, len(sum))
	for j, v := range sum {
		own[j] = float32(v) / float32(n)
	}
	return own
}

// OwnerSums plays n playouts from pos (unchanged), the i-th with first(i)
// moving first after last (board.Pass if unknown), adds the final
// Tromp-Taylor area owner of every point (+1 Black, -1 White, 0 neither;
// board.Points(size) order) into sum, and returns the number of playouts
// Black won minus those White won (komi counted). It is the loop behind
// Ownership and behind nets.FeaturesV3's playout planes.
// Precondition: len(sum) >= len(board.Points(pos.Size())).
func (p Policy) OwnerSums(pos *board.Position, first func(i int) board.Color, last board.Point, komi float64, n int, rng *rand.Rand, sum []int32) (blackNet int) {
	var owners []int8
	for i := range n {
		q := *pos
		r := p.Playout(&q, first(i), last, komi, 0, rng, nil)
		switch {
		case r.Score > 0:
			blackNet++
		case r.Score < 0:
			blackNet--
		}
		owners = q.AreaOwners(owners)
		for j, o := range owners {
			sum[j] += int32(o)
		}
	}
	return blackNet
}
