package sgemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShapes are the products of the network's layers.
var benchShapes = []struct {
	name           string
	transA, transB bool
	m, n, k        int
}{
	{"conv3x3_b32_64f", false, false, 64, 32 * 361, 576},  // 64→64 3x3 conv, batch 32
	{"conv5x5_b8_in29", false, false, 64, 8 * 81, 725},    // 29→64 5x5 conv, 9x9, batch 8
	{"conv3x3_b8_256f", false, false, 256, 8 * 361, 2304}, // 256→256 3x3, batch 8
	{"dense_362x722_b32", false, true, 362, 32, 722},      // dense layer, batch 32
	{"wino_64x64_t128", false, false, 64, 128, 64},        // one Winograd tile product
	{"conv1x1_b1_128f", false, false, 128, 361, 128},      // batch 1, 1x1 conv
}

// gonumRate remembers gonum's GFLOP/s per shape and GOMAXPROCS for the
// ratio reported by the tengen sub-benchmark run right after it.
var gonumRate = map[string]float64{}

// BenchmarkSgemm reports GFLOP/s for each shape, gonum's first and then
// ours with the ratio to gonum (x_gonum). Threads follow -cpu.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range benchShapes {
		r := rand.New(rand.NewPCG(1, 1))
		p := randProblem(r, s.transA, s.transB, s.m, s.n, s.k, 0, 1, 0)
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		key := fmt.Sprintf("%s/%d", s.name, runtime.GOMAXPROCS(0))
		report := func(b *testing.B, d time.Duration) float64 {
			g := flops * float64(b.N) / d.Seconds() / 1e9
			b.ReportMetric(g, "GFLOP/s")
			b.ReportMetric(0, "ns/op")
			return g
		}
		b.Run(s.name+"/gonum", func(b *testing.B) {
			tA, tB := blas.NoTrans, blas.NoTrans
			if s.transA {
				tA = blas.Trans
			}
			if s.transB {
				tB = blas.Trans
			}
			var impl gonum.Implementation
			t0 := time.Now()
			for range b.N {
				impl.Sgemm(tA, tB, s.m, s.n, s.k, 1, p.a, p.lda, p.b, p.ldb, 0, p.c, p.ldc)
			}
			gonumRate[key] = report(b, time.Since(t0))
		})
		b.Run(s.name+"/tengen", func(b *testing.B) {
			ctx := new(Context)
			ctx.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, p.a, p.lda, p.b, p.ldb, 0, p.c, p.ldc)
			b.ResetTimer()
			t0 := time.Now()
			for range b.N {
				ctx.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, p.a, p.lda, p.b, p.ldb, 0, p.c, p.ldc)
			}
			g := report(b, time.Since(t0))
			if gr := gonumRate[key]; gr > 0 {
				b.ReportMetric(g/gr, "x_gonum")
			}
		})
	}
}

// BenchmarkKernels compares the micro-kernels on one conv shape, single
// threaded.
func BenchmarkKernels(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	m, n, k := 64, 8*361, 576
	p := randProblem(r, false, false, m, n, k, 0, 1, 0)
	for _, kn := range kernels() {
		b.Run(kn.name, func(b *testing.B) {
			ctx := &Context{Threads: 1, kern: kn}
			t0 := time.Now()
			for range b.N {
				ctx.Sgemm(false, false, m, n, k, 1, p.a, p.lda, p.b, p.ldb, 0, p.c, p.ldc)
			}
			b.ReportMetric(2*float64(m*n*k)*float64(b.N)/time.Since(t0).Seconds()/1e9, "GFLOP/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}
func BenchmarkMicro(b *testing.B) {
	for _, kn := range kernels() {
		b.Run(kn.name, func(b *testing.B) {
			k := 256
			a := make([]float32, kn.mr*k)
			bb := make([]float32, kn.nr*k)
			c := make([]float32, kn.mr*kn.nr)
			t0 := time.Now()
			for range b.N {
				kn.fn(k, &a[0], 1, kn.mr, &bb[0], kn.nr, &c[0], kn.nr, 1, 1)
			}
			b.ReportMetric(2*float64(kn.mr*kn.nr*k)*float64(b.N)/time.Since(t0).Seconds()/1e9, "GFLOP/s")
		})
	}
}
