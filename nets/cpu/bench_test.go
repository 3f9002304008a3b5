package cpu

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
)

var benchBatches = []int{1, 8, 32, 128}

// BenchmarkForward measures the default network: positions/s and the
// achieved rate in GFLOP/s (Spec.FLOPs per position; Winograd layers do
// fewer real multiplications, so this can exceed the GEMM's rate).
func BenchmarkForward(b *testing.B) {
	for _, size := range []int{9, 19} {
		spec := nets.DefaultSpec(size)
		w, err := netstest.RandomWeights(spec, rand.New(rand.NewPCG(1, uint64(size))))
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range benchBatches {
			b.Run(fmt.Sprintf("%dx%d/b%d", size, size, n), func(b *testing.B) {
				be, err := New(w, Options{MaxBatch: n})
				if err != nil {
					b.Fatal(err)
				}
				defer be.Close()
				in := netstest.MixedInputs(rand.New(rand.NewPCG(2, 2)), spec, n)
				p, v := make([]float32, n*spec.Moves()), make([]float32, n)
				ctx := context.Background()
				if err := be.Forward(ctx, in, n, p, v); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for b.Loop() {
					if err := be.Forward(ctx, in, n, p, v); err != nil {
						b.Fatal(err)
					}
				}
				sec := b.Elapsed().Seconds()
				pos := float64(b.N*n) / sec
				b.ReportMetric(pos, "pos/s")
				b.ReportMetric(pos*spec.FLOPs()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkSgemm measures the GEMM alone on the convolution-shaped product
// on all threads: the ceiling for BenchmarkForward's GFLOP/s.
func BenchmarkSgemm(b *testing.B) {
	g := ConvGEMM
	threads := runtime.GOMAXPROCS(0)
	b.Run(fmt.Sprintf("%s/%dx%dx%d/t%d", BLAS(), g.M, g.N, g.K, threads), func(b *testing.B) {
		var rate float64
		for b.Loop() {
			rate = MeasureSgemm(g.M, g.N, g.K, threads, 200*time.Millisecond)
		}
		b.ReportMetric(rate, "GFLOP/s")
	})
}

// BenchmarkConv3x3 compares the two 3x3 algorithms on the default trunk's
// 64 -> 64 layer (fused ReLU), on all threads: the basis of ConvAuto.
func BenchmarkConv3x3(b *testing.B) {
	const c, f = 64, 64
	rng := rand.New(rand.NewPCG(4, 4))
	wt := make([]float32, f*c*9)
	for i := range wt {
		wt[i] = float32(rng.NormFloat64() * 0.05)
	}
	bias := make([]float32, f)
	for _, size := range []int{9, 19} {
		for _, n := range benchBatches {
			for _, algo := range []ConvAlgo{ConvIm2col, ConvWinograd} {
				b.Run(fmt.Sprintf("%dx%d/b%d/%v", size, size, n, algo), func(b *testing.B) {
					be, o := convBench(size, n, c, f, wt, bias, algo)
					defer be.Close()
					be.runOp(0)
					b.ResetTimer()
					for b.Loop() {
						be.runOp(0)
					}
					_ = o
					flops := 2 * float64(c*9*f*size*size*n)
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// convBench builds a backend holding one 3x3 convolution op on random
// activations, ready for runOp(0).
func convBench(size, n, c, f int, wt, bias []float32, algo ConvAlgo) (*Backend, op) {
	be := &Backend{opts: Options{MaxBatch: n, Threads: runtime.GOMAXPROCS(0), Conv3x3: algo}, n: n}
	var sz sizes
	in := nets.Shape{C: c, H: size, W: size}
	o, err := be.convOp(0, 1, in, f, 3, append([]float32(nil), wt...), bias, actReLU, -1, &sz)
	if err != nil {
		panic(err)
	}
	be.ops = []op{o}
	l := n * max(c, f) * size * size
	be.act = [][]float32{make([]float32, l), make([]float32, l)}
	for i := range be.act[0] {
		be.act[0][i] = float32(i%13) * 0.1
	}
	for range be.opts.Threads {
		be.scratch = append(be.scratch, &scratch{col: make([]float32, sz.col), v: make([]float32, sz.v), m: make([]float32, sz.m),
			rows: make([]float32, sz.rows), zeros: make([]float32, sz.rows),
			off: make([]int, tileBlock), wtmp: make([]float32, 12*tileBlock), inner: make([]bool, tileBlock), segs: make([]winoSeg, tileBlock), gemm: gemmImpl.newGemm()})
	}
	if be.opts.Threads > 1 {
		be.startWorkers()
	}
	return be, o
}

// BenchmarkConv3x3AB times im2col and Winograd on the same 64 -> 64 layer
// alternately, keeping each one's fastest run (robust to other load on
// the machine), and reports both in GFLOP/s and Winograd's speed-up.
func BenchmarkConv3x3AB(b *testing.B) {
	const c, f = 64, 64
	rng := rand.New(rand.NewPCG(4, 4))
	wt := make([]float32, f*c*9)
	for i := range wt {
		wt[i] = float32(rng.NormFloat64() * 0.05)
	}
	bias := make([]float32, f)
	for _, size := range []int{9, 19} {
		for _, n := range benchBatches {
			b.Run(fmt.Sprintf("%dx%d/b%d", size, size, n), func(b *testing.B) {
				im, _ := convBench(size, n, c, f, wt, bias, ConvIm2col)
				defer im.Close()
				wi, _ := convBench(size, n, c, f, wt, bias, ConvWinograd)
				defer wi.Close()
				best := [2]time.Duration{time.Hour, time.Hour}
				for b.Loop() {
					for i, be := range []*Backend{im, wi} {
						start := time.Now()
						be.runOp(0)
						best[i] = min(best[i], time.Since(start))
					}
				}
				flops := 2 * float64(c*9*f*size*size*n)
				b.ReportMetric(flops/best[0].Seconds()/1e9, "im2col-GFLOP/s")
				b.ReportMetric(flops/best[1].Seconds()/1e9, "winograd-GFLOP/s")
				b.ReportMetric(best[0].Seconds()/best[1].Seconds(), "winograd-speedup")
			})
		}
	}
}

// BenchmarkPrecision measures the default 19x19 network at batch 32 in
// each precision this CPU runs in assembly (`-cpuprofile` on one of them
// shows where the time goes; the Int8 calibration runs once, on the
// benchmark's 32 positions).
func BenchmarkPrecision(b *testing.B) {
	const n = 32
	spec := nets.DefaultSpec(19)
	w, err := netstest.RandomWeights(spec, rand.New(rand.NewPCG(1, 19)))
	if err != nil {
		b.Fatal(err)
	}
	in, err := CalibrationInputs(spec, n, 3)
	if err != nil {
		b.Fatal(err)
	}
	// Calibrated here on the benchmark's positions, so that a profile
	// shows the forward passes rather than New's calibration.
	cal, err := Calibrate(w, in, n, 0)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range []Precision{FP32, BF16, Int8} {
		if !p.Supported() {
			continue
		}
		b.Run(p.String(), func(b *testing.B) {
			be, err := New(w, Options{MaxBatch: n, Precision: p, Calibration: cal})
			if err != nil {
				b.Fatal(err)
			}
			defer be.Close()
			pol, v := make([]float32, n*spec.Moves()), make([]float32, n)
			ctx := context.Background()
			for b.Loop() {
				if err := be.Forward(ctx, in, n, pol, v); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "pos/s")
		})
	}
}
