package board

import (
	"math/rand/v2"
	"testing"
)

func benchmarkPlayouts(b *testing.B, size int) {
	empty, _ := NewPosition(size)
	rng := rand.New(rand.NewPCG(1, 2))
	moves := 0
	b.ResetTimer()
	for b.Loop() {
		p := *empty
		moves += p.Playout(Black, rng, 7.5, 0).Moves
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/s, "playouts/s")
	b.ReportMetric(float64(moves)/s, "moves/s")
}

func BenchmarkPlayout9x9(b *testing.B)   { benchmarkPlayouts(b, 9) }
func BenchmarkPlayout19x19(b *testing.B) { benchmarkPlayouts(b, 19) }

func BenchmarkGameLegalMoves19x19(b *testing.B) {
	g, _ := NewGame(19, 7.5, DefaultRules())
	rng := rand.New(rand.NewPCG(1, 2))
	var buf []Point
	for range 100 {
		buf = g.LegalMoves(g.ToMove(), buf)
		g.Play(g.ToMove(), buf[rng.IntN(len(buf))])
	}
	for b.Loop() {
		buf = g.LegalMoves(g.ToMove(), buf)
	}
}
