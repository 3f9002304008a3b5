package cuda

import (
	"errors"
	"fmt"
	"time"
)

// MeasureSgemm times cuBLAS's float32 GEMM of two n x n matrices on GPU
// opts.Device for about d (after one untimed call) and returns the rate
// in TFLOP/s (2*n^3 per product). It is the ceiling the backend's
// convolutions can approach; n = 4096 keeps the GPU busy. The math mode
// is the backend's (full float32, no TF32).
func MeasureSgemm(opts Options, n int, d time.Duration) (float64, error) {
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return 0, err
	}
	if n < 1 || n > 1<<15 {
		return 0, fmt.Errorf("nets/cuda: sgemm size %d outside [1, 32768]", n)
	}
	dev, err := openDevice(opts)
	if err != nil {
		return 0, err
	}
	defer dev.close()
	leave := dev.enter()
	defer leave()
	var bufs []devPtr
	defer func() {
		for _, p := range bufs {
			dev.free(p)
		}
	}()
	host := make([]float32, n*n)
	for i := range host {
		host[i] = float32(i%7)*0.25 - 0.75
	}
	for range 3 {
		p, err := dev.alloc(4 * n * n)
		if err != nil {
			return 0, err
		}
		bufs = append(bufs, p)
		if err := uploadF32(dev, p, host); err != nil {
			return 0, err
		}
	}
	s, err := dev.newStream()
	if err != nil {
		return 0, err
	}
	defer s.destroy()
	g := gemm{m: n, n: n, k: n, alpha: 1, a: bufs[0], lda: n, b: bufs[1], ldb: n, c: bufs[2], ldc: n}
	if err := sgemmRow(s, g); err != nil {
		return 0, err
	}
	if err := s.sync(); err != nil {
		return 0, err
	}
	start := time.Now()
	calls := 0
	for calls == 0 || time.Since(start) < d {
		// Enqueue a few, then wait: the time is the GPU's, not the queue's.
		for range 4 {
			if err := sgemmRow(s, g); err != nil {
				return 0, err
			}
			calls++
		}
		if err := s.sync(); err != nil {
			return 0, err
		}
	}
	sec := time.Since(start).Seconds()
	if sec <= 0 {
		return 0, errors.New("nets/cuda: sgemm timing failed")
	}
	return 2 * float64(n) * float64(n) * float64(n) * float64(calls) / sec / 1e12, nil
}
