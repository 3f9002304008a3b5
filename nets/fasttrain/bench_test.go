package fasttrain

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/tape"
)

var benchTape = flag.Bool("tape", true, "BenchmarkTrain: measure nets/tape's trainer too")

// tapeRate caches the gorgonia trainer's positions/s per board size, so
// that it is measured once per benchmark run.
var tapeRate = map[int]float64{}

// measureTape times a few SGD steps of nets/tape's trainer (after a
// warm-up step) on the same weights and batch.
func measureTape(b *testing.B, w *nets.Weights, o tape.TrainOptions, d batch) float64 {
	if r, ok := tapeRate[w.Spec.BoardSize]; ok {
		return r
	}
	tr, err := tape.NewTrainer(w, o)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	steps := 0
	var start time.Time
	for steps < 3 || time.Since(start) < time.Second {
		if steps == 0 {
			if _, err := tr.Step(d.in, d.policy, d.value, d.mask); err != nil {
				b.Fatal(err)
			}
			start = time.Now()
		}
		if _, err := tr.Step(d.in, d.policy, d.value, d.mask); err != nil {
			b.Fatal(err)
		}
		steps++
	}
	r := float64(steps*o.BatchSize) / time.Since(start).Seconds()
	tapeRate[w.Spec.BoardSize] = r
	return r
}

// BenchmarkTrain measures SGD training steps of the default network at
// batch 64: positions/s of this package, of nets/tape's gorgonia trainer
// measured in the same run, and their ratio.
func BenchmarkTrain(b *testing.B) {
	for _, size := range []int{9, 19} {
		b.Run(fmt.Sprintf("%dx%d/batch64", size, size), func(b *testing.B) {
			spec := nets.DefaultSpec(size)
			w, err := nets.NewWeights(spec, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				b.Fatal(err)
			}
			o := tape.DefaultTrainOptions()
			o.BatchSize = 64
			d := randomBatch(spec, 64, rand.New(rand.NewPCG(1, 2)))
			ref := 0.0
			if *benchTape {
				ref = measureTape(b, w, o, d)
			}
			tr, err := NewTrainer(w, o)
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			if _, err := tr.Step(d.in, d.policy, d.value, d.mask); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := tr.Step(d.in, d.policy, d.value, d.mask); err != nil {
					b.Fatal(err)
				}
			}
			rate := float64(b.N*64) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "positions/s")
			if ref > 0 {
				b.ReportMetric(ref, "tape-positions/s")
				b.ReportMetric(rate/ref, "x-tape")
			}
			b.ReportMetric(3*spec.FLOPs()*rate/1e9, "GFLOP/s")
		})
	}
}
