package qgemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/nets/internal/sgemm"
)

// BenchmarkGemm compares fp32 (sgemm, one goroutine), bf16 and int8 on the
// network's conv GEMM shapes: 64 filters, K = 64·3·3, N = one im2col block
// of 256 columns (as nets/cpu issues them) and 361·32 columns. It reports
// GFLOP/s (2·m·n·k per product).
func BenchmarkGemm(b *testing.B) {
	for _, s := range []struct{ m, n, k int }{{64, 256, 576}, {64, 361 * 32, 576}} {
		rng := rand.New(rand.NewPCG(1, 1))
		p := newProblem(rng, s.m, s.n, s.k, true)
		flops := 2 * float64(s.m*s.n*s.k)
		report := func(b *testing.B) {
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		name := fmt.Sprintf("%dx%dx%d", s.m, s.n, s.k)
		b.Run("fp32/"+name, func(b *testing.B) {
			ctx := &sgemm.Context{Threads: 1}
			for b.Loop() {
				ctx.Sgemm(false, false, s.m, s.n, s.k, 1, p.w, s.k, p.b, p.ldb, 0, p.c, p.ldc)
			}
			report(b)
		})
		for _, kern := range bf16Kernels()[:len(asmBF16())] {
			b.Run(kern.name+"/"+name, func(b *testing.B) {
				w := newBF16Matrix(p.w, s.m, s.k, kern)
				var ctx Context
				for b.Loop() {
					ctx.BF16(w, s.n, p.b, p.ldb, p.c, p.ldc, p.bias, true)
				}
				report(b)
			})
		}
		for _, kern := range int8Kernels()[:len(asmInt8())] {
			b.Run(kern.name+"/"+name, func(b *testing.B) {
				w := newInt8Matrix(p.w, s.m, s.k, kern)
				var ctx Context
				for b.Loop() {
					ctx.Int8(w, s.n, p.b, p.ldb, 0.03, p.c, p.ldc, p.bias, true)
				}
				report(b)
			})
		}
	}
}

// BenchmarkKernel times the micro-kernels alone on panels in L1 (K = 576):
// the ceiling of the GEMMs above.
func BenchmarkKernel(b *testing.B) {
	const k = 576
	for _, kern := range append(asmBF16(), asmInt8()...) {
		per := 2
		if kern.packU8 != nil {
			per = 4
		}
		ks := k / per
		a, bp := make([]uint32, ks*kern.mr), make([]uint32, ks*NR)
		for i := range a {
			a[i] = 0x3f803f80 &^ 0x80008000 // small values of either format
		}
		for i := range bp {
			bp[i] = 0x01010101
		}
		c := make([]float32, kern.mr*NR)
		scale, bias := make([]float32, kern.mr), make([]float32, kern.mr)
		b.Run(kern.name, func(b *testing.B) {
			for b.Loop() {
				kern.fn(ks, &a[0], &bp[0], &c[0], NR, &scale[0], &bias[0], 0)
			}
			b.ReportMetric(2*float64(kern.mr*NR*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
