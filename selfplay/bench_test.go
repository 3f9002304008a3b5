package selfplay

import (
	"context"
	"flag"
	"fmt"
	"testing"

	"github.com/tengen-go/tengen/nets"
)

var (
	benchSize    = flag.Int("selfplay.size", 7, "board size of BenchmarkGenerate")
	benchVisits  = flag.Int("selfplay.visits", 16, "full-search visits of BenchmarkGenerate")
	benchWeights = flag.String("selfplay.weights", "", "weights file for BenchmarkGenerate (default: a random 2x8 network)")
)

// BenchmarkGenerate measures self-play generation: Parallel games sharing
// one batcher of a tiny network (2 conv layers of 8 filters, or
// -selfplay.weights), written to disk as chunks and SGFs, reporting games/s
// and positions/s (every move searched, fast or full).
// Flags: -selfplay.size, -selfplay.visits, -selfplay.weights.
func BenchmarkGenerate(b *testing.B) {
	for _, par := range []int{1, 8} {
		b.Run(fmt.Sprintf("parallel=%d", par), func(b *testing.B) {
			d := Dir(b.TempDir())
			src := *benchWeights
			if src == "" {
				src = tinyWeights(b, b.TempDir(), *benchSize, 1)
			}
			if _, _, err := d.Init(src); err != nil {
				b.Fatal(err)
			}
			best, _ := d.ReadBest()
			size := *benchSize
			if w, err := loadSize(d.BestWeights(best)); err == nil {
				size = w
			}
			cfg := DefaultConfig(size)
			cfg.Game.Visits = *benchVisits
			cfg.Parallel = par
			cfg.Games = b.N
			b.ResetTimer()
			st, err := Run(context.Background(), d, cfg, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(st.GamesPerSecond(), "games/s")
			b.ReportMetric(st.PositionsPerSecond(), "positions/s")
			b.ReportMetric(float64(st.Positions)/float64(max(st.Games, 1)), "moves/game")
		})
	}
}

// loadSize returns a weights file's board size.
func loadSize(path string) (int, error) {
	w, err := nets.Load(path)
	if err != nil {
		return 0, err
	}
	return w.Spec.BoardSize, nil
}
