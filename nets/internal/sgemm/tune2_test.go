package sgemm

import (
	"testing"
	"time"
)

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
