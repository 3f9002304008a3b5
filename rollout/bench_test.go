package rollout

import (
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/board"
)

func benchmarkPlayout(b *testing.B, pol Policy, size int) {
	empty, _ := board.NewPosition(size)
	rng := rand.New(rand.NewPCG(1, 2))
	moves := 0
	for b.Loop() {
		p := *empty
		moves += pol.Playout(&p, board.Black, board.Pass, 7.5, 0, rng, nil).Moves
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/s, "playouts/s")
	b.ReportMetric(float64(moves)/float64(b.N), "moves/playout")
}

func BenchmarkPlayoutLight9(b *testing.B)  { benchmarkPlayout(b, LightPolicy(), 9) }
func BenchmarkPlayoutHeavy9(b *testing.B)  { benchmarkPlayout(b, DefaultPolicy(), 9) }
func BenchmarkPlayoutLight19(b *testing.B) { benchmarkPlayout(b, LightPolicy(), 19) }
func BenchmarkPlayoutHeavy19(b *testing.B) { benchmarkPlayout(b, DefaultPolicy(), 19) }

func BenchmarkPriors19(b *testing.B) {
	p, _ := board.NewPosition(19)
	rng := rand.New(rand.NewPCG(3, 4))
	DefaultPolicy().Playout(p, board.Black, board.Pass, 7.5, 150, rng, nil)
	priors := make([]float32, 19*19+1)
	for b.Loop() {
		Priors(p, board.Black, board.Pass, priors)
	}
}

// BenchmarkStakes19: what the hybrid search adds at each node it
// refines, on the same 150-move position as BenchmarkPriors19.
func BenchmarkStakes19(b *testing.B) {
	p, _ := board.NewPosition(19)
	rng := rand.New(rand.NewPCG(3, 4))
	DefaultPolicy().Playout(p, board.Black, board.Pass, 7.5, 150, rng, nil)
	stakes := make([]int16, 19*19)
	for b.Loop() {
		Stakes(p, board.Black, stakes)
	}
}

// The heavy policy with a last-good-reply table that learns as the
// benchmark goes (the search's use: one table for many playouts).
func benchmarkPlayoutLGRF(b *testing.B, size int) {
	pol := DefaultPolicy()
	pol.Replies = NewReplies(size)
	benchmarkPlayout(b, pol, size)
}

func BenchmarkPlayoutHeavyLGRF9(b *testing.B)  { benchmarkPlayoutLGRF(b, 9) }
func BenchmarkPlayoutHeavyLGRF19(b *testing.B) { benchmarkPlayoutLGRF(b, 19) }
