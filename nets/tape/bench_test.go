package tape

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/nets"
)

// BenchmarkForward measures inference with the default network.
func BenchmarkForward(b *testing.B) {
	for _, size := range []int{9, 19} {
		spec := nets.DefaultSpec(size)
		w := randomWeights(b, spec, 1)
		for _, n := range []int{1, 8, 32} {
			b.Run(fmt.Sprintf("%dx%d/batch%d", size, size, n), func(b *testing.B) {
				be, err := New(w, n)
				if err != nil {
					b.Fatal(err)
				}
				defer be.Close()
				in := randomInput(spec, n, rand.New(rand.NewPCG(1, 1)))
				policy, value := make([]float32, n*spec.Moves()), make([]float32, n)
				ctx := context.Background()
				if err := be.Forward(ctx, in, n, policy, value); err != nil { // builds the graph
					b.Fatal(err)
				}
				b.ResetTimer()
				for b.Loop() {
					if err := be.Forward(ctx, in, n, policy, value); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "positions/s")
				b.ReportMetric(spec.FLOPs()*float64(b.N*n)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkTrain measures training steps of the default network at batch
// 64 with SGD.
func BenchmarkTrain(b *testing.B) {
	for _, size := range []int{9, 19} {
		b.Run(fmt.Sprintf("%dx%d/batch64", size, size), func(b *testing.B) {
			spec := nets.DefaultSpec(size)
			o := DefaultTrainOptions()
			o.BatchSize = 64
			tr, err := NewTrainer(randomWeights(b, spec, 1), o)
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			d := randomBatch(spec, 64, rand.New(rand.NewPCG(1, 1)))
			b.ResetTimer()
			for b.Loop() {
				if _, err := tr.Step(d.in, d.policy, d.value, d.mask); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*64)/b.Elapsed().Seconds(), "positions/s")
		})
	}
}
