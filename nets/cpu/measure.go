package cpu

import (
	"sync"
	"time"
)

// ConvGEMM is the GEMM shape of one im2col block of a 64-filter 3x3
// convolution as the backend issues it: (64 x 576) times (576 x 256).
var ConvGEMM = struct{ M, N, K int }{64, colBlock, 64 * 9}

// SquareGEMM is the fixed shape `tengen bench nets` reports the GEMM's
// rate on (issue 18): 1024 x 1024 x 1024, the usual SGEMM yardstick,
// which does not move when the convolutions' blocking does.
var SquareGEMM = struct{ M, N, K int }{1024, 1024, 1024}

// MeasureSgemm runs the backend's GEMM (see BLAS) on an m x k by k x n
// product on threads goroutines at once, each with its own matrices, for
// about d after one warm-up product (at least one timed product each),
// and returns the total rate in GFLOP/s (2*m*n*k per product, the
// goroutines' rates added up). It is the ceiling the convolutions can
// approach.
func MeasureSgemm(m, n, k, threads int, d time.Duration) float64 {
	threads = max(threads, 1)
	rates := make([]float64, threads)
	var wg sync.WaitGroup
	for t := range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gemm := gemmImpl.newGemm()
			a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
			for i := range a {
				a[i] = float32(i%7) * 0.1
			}
			for i := range b {
				b[i] = float32(i%5) * 0.1
			}
			gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n) // warm up
			start := time.Now()
			deadline := start.Add(d)
			count := 0
			for count == 0 || time.Now().Before(deadline) {
				gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
				count++
			}
			rates[t] = 2 * float64(m) * float64(n) * float64(k) * float64(count) / time.Since(start).Seconds() / 1e9
		}()
	}
	wg.Wait()
	total := 0.0
	for _, r := range rates {
		total += r
	}
	return total
}
