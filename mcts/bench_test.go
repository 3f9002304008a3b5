package mcts

import (
	"context"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// benchmarkSearch runs the playout search (heavy playouts, knowledge
// priors, RAVE) from a 19x19 opening position, 2,000 playouts a search,
// a fresh tree each time, and reports visits/s and the tree's nodes per
// visit: ExpandVisits 1 (every leaf expands at its first visit, the
// baseline) against later expansion.
func benchmarkSearch(b *testing.B, expandVisits int) {
	g := newGame(b, 19)
	for _, m := range []string{"Q16", "D4", "Q3", "D16", "R5", "C10"} {
		pt, err := board.ParseGTP(m, 19)
		if err != nil {
			b.Fatal(err)
		}
		if err := g.Play(g.ToMove(), pt); err != nil {
			b.Fatal(err)
		}
	}
	cfg := DefaultConfig()
	cfg.RAVEEquiv = 1000
	cfg.ExpandVisits = expandVisits
	ev := NewPlayoutEvaluator(1, 1)
	visits, nodes := 0, 0
	for b.Loop() {
		s := mustSearcher(b, ev, cfg)
		s.SetGame(g)
		res, err := s.Search(context.Background(), Options{Limits: Limits{Playouts: 2000}})
		if err != nil {
			b.Fatal(err)
		}
		visits += res.Playouts
		nodes += res.Nodes
	}
	b.ReportMetric(float64(visits)/b.Elapsed().Seconds(), "visits/s")
	b.ReportMetric(float64(nodes)/float64(visits), "nodes/visit")
}

func BenchmarkSearch19Expand1(b *testing.B) { benchmarkSearch(b, 1) }
func BenchmarkSearch19Expand2(b *testing.B) { benchmarkSearch(b, 2) }
func BenchmarkSearch19Expand4(b *testing.B) { benchmarkSearch(b, 4) }
