package cpu

import (
	"sync"
	"time"
)

// ConvGEMM is the GEMM shape of one im2col block of a 64-filter 3x3
// convolution as the backend issues it: (64 x 576) times (576 x 256).
var ConvGEMM = struct{ M, N, K int }{64, colBlock, 64 * 9}

// MeasureSgemm runs the backend's GEMM (see BLAS) on an m x k by k x n
// product on threads goroutines at once, each with its own matrices, for
// about d, and returns the total rate in GFLOP/s (2*m*n*k per product).
// It is the ceiling the convolutions can approach.
func MeasureSgemm(m, n, k, threads int, d time.Duration) float64 {
	threads = max(threads, 1)
	counts := make([]int, threads)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
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
			for time.Now().Before(deadline) {
				for range 4 {
					gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
					counts[t]++
				}
			}
		}()
	}
	wg.Wait()
	sec := time.Since(start).Seconds()
	total := 0
	for _, c := range counts {
		total += c
	}
	return 2 * float64(m) * float64(n) * float64(k) * float64(total) / sec / 1e9
}
