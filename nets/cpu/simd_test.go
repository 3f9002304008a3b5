package cpu

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
	"unsafe"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
)

// sameBits reports the first index where a and b differ in their bits.
func sameBits(a, b []float32) (int, bool) {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i, false
		}
	}
	return 0, true
}

// randPlanes returns n values, a third of them negative, some zero.
func randPlanes(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		if rng.IntN(7) > 0 {
			x[i] = float32(rng.NormFloat64())
		}
	}
	return x
}

// TestWinoSIMD checks the AVX-512 Winograd transforms against winoInput
// and winoOutput bit for bit, on odd map sizes (tile rows split into
// several runs, edge tiles), channel counts and tile blocks.
func TestWinoSIMD(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for _, sh := range []struct{ h, w int }{{1, 1}, {2, 3}, {3, 5}, {5, 4}, {9, 9}, {19, 19}, {4, 33}, {25, 25}} {
		for _, n := range []int{1, 3} {
			for _, c := range []int{1, 3, 17} {
				for _, pb := range []int{1, 7, 64} {
					name := fmt.Sprintf("%dx%d/n%d/c%d/pb%d", sh.h, sh.w, n, c, pb)
					h, w := sh.h, sh.w
					hw := h * w
					cs := n*hw + 5 // channel stride beyond the batch
					src := randPlanes(rng, c*cs)
					tiles := n * ((w + 1) / 2) * ((h + 1) / 2)
					for t0 := 0; t0 < tiles; t0 += pb {
						b := min(pb, tiles-t0)
						want := make([]float32, 16*winoStride(c, b))
						got := make([]float32, len(want))
						for i := range want {
							want[i], got[i] = -7, -7
						}
						rows, zeros := make([]float32, 4*(w+3)), make([]float32, 4*(w+3))
						winoInput(src, cs, c, h, w, t0, b, want, rows, zeros)
						winoInputAVX512(src, cs, c, h, w, t0, b, got, make([]winoSeg, b))
						if i, ok := sameBits(got, want); !ok {
							t.Fatalf("%s: input t0 %d: v[%d] = %v, want %v", name, t0, i, got[i], want[i])
						}
						// Output: c filters from random products.
						m := randPlanes(rng, 16*winoStride(c, b))
						bias := randPlanes(rng, c)
						for _, act := range []actKind{actNone, actReLU} {
							dw := make([]float32, c*cs)
							dg := make([]float32, c*cs)
							for i := range dw {
								dw[i], dg[i] = -9, -9
							}
							winoOutput(m, dw, cs, c, h, w, t0, b, bias, act, make([]int, b), make([]bool, b), make([]float32, 12*b))
							winoOutputAVX512(m, dg, cs, c, h, w, t0, b, bias, act, make([]winoSeg, b))
							if i, ok := sameBits(dg, dw); !ok {
								t.Fatalf("%s: output t0 %d act %v: dst[%d] = %v, want %v", name, t0, act, i, dg[i], dw[i])
							}
						}
					}
				}
			}
		}
	}
}

// BenchmarkForwardSIMD times the default 19x19 network at batch 32 with
// the AVX-512 passes and with the Go ones, alternately in one process,
// keeping each one's fastest forward (robust to other load).
func BenchmarkForwardSIMD(b *testing.B) {
	if !hasAVX512 {
		b.Skip("no AVX-512")
	}
	const n = 32
	spec := nets.DefaultSpec(19)
	w, err := netstest.RandomWeights(spec, rand.New(rand.NewPCG(1, 19)))
	if err != nil {
		b.Fatal(err)
	}
	be, err := New(w, Options{MaxBatch: n})
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	in := netstest.MixedInputs(rand.New(rand.NewPCG(2, 2)), spec, n)
	p, v := make([]float32, n*spec.Moves()), make([]float32, n)
	ctx := context.Background()
	best := [2]time.Duration{time.Hour, time.Hour}
	defer func() { hasAVX512 = true }()
	for b.Loop() {
		for i, simd := range []bool{false, true} {
			hasAVX512 = simd
			start := time.Now()
			if err := be.Forward(ctx, in, n, p, v); err != nil {
				b.Fatal(err)
			}
			best[i] = min(best[i], time.Since(start))
		}
	}
	f := spec.FLOPs() * n / 1e9
	b.ReportMetric(f/best[0].Seconds(), "go-GFLOP/s")
	b.ReportMetric(f/best[1].Seconds(), "simd-GFLOP/s")
	b.ReportMetric(best[0].Seconds()/best[1].Seconds(), "speedup")
}

// TestWinoSegLayout checks winoSeg against the offsets simd_amd64.s
// reads.
func TestWinoSegLayout(t *testing.T) {
	var s winoSeg
	got := []uintptr{unsafe.Offsetof(s.in), unsafe.Offsetof(s.out), unsafe.Offsetof(s.p), unsafe.Offsetof(s.rows),
		unsafe.Offsetof(s.last), unsafe.Offsetof(s.inMask), unsafe.Offsetof(s.outMask), unsafe.Offsetof(s.nMask), unsafe.Sizeof(s)}
	want := []uintptr{0, 8, 16, 24, 32, 40, 44, 48, 56}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("winoSeg offsets and size %v, the assembly wants %v", got, want)
	}
}

// TestLRNSIMD checks the AVX-512 LRN against the Go loop bit for bit
// (both compute d^0.75 in float64), with odd column counts (masked
// tails), windows cut by the first and last channels and 1 to 3 workers.
func TestLRNSIMD(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	defer func() { hasAVX512 = true }()
	rng := rand.New(rand.NewPCG(6, 6))
	for _, c := range []int{1, 2, 5, 7, 64} {
		for _, cols := range []int{1, 15, 17, 361, 3*361 + 1, 2100} {
			for _, n := range []int{1, 3, 5} {
				for _, threads := range []int{1, 3} {
					f32 := (c+cols+n+threads)%2 == 0 // the float32 variant on half the cases
					o := &lrnOp{in: 0, out: 1, c: c, hw: cols, n: n, k: 2, alphaN: float32(1e-4 / float64(n)), beta: 0.75, f32: f32}
					src := randPlanes(rng, c*cols)
					for i := range src {
						src[i] *= 30 // squares large enough to matter
					}
					var out [2][]float32
					for i, simd := range []bool{false, true} {
						hasAVX512 = simd
						b := &Backend{n: 1, act: [][]float32{src, make([]float32, c*cols)}}
						for range threads {
							b.scratch = append(b.scratch, &scratch{tmp: make([]float32, colBlock)})
						}
						for w := range threads {
							o.run(b, w, threads)
						}
						out[i] = b.act[1]
					}
					if i, ok := sameBits(out[1], out[0]); !ok {
						t.Fatalf("c %d cols %d n %d threads %d f32 %v: out[%d] = %v, want %v", c, cols, n, threads, f32, i, out[1][i], out[0][i])
					}
				}
			}
		}
	}
}

// TestDotF64 checks the AVX-512 float64 dot product against the loop on
// every length up to 100 (full blocks, 8-wide steps and masked tails).
func TestDotF64(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	defer func() { hasAVX512 = true }()
	rng := rand.New(rand.NewPCG(7, 7))
	for n := range 101 {
		a, b := randPlanes(rng, n), randPlanes(rng, n+3)
		hasAVX512 = false
		want := dotF64(a, b)
		hasAVX512 = true
		got := dotF64(a, b)
		if d := math.Abs(got - want); d > 1e-12*(1+math.Abs(want)) {
			t.Errorf("n %d: %v, want %v", n, got, want)
		}
	}
}

// TestPoolSIMD checks the AVX-512 3x3 stride-1 max pooling against the Go
// code bit for bit on finite inputs without -0 (where VMAXPS and Go's max
// agree), on planes from 1x1 to 32 wide, several planes per worker.
func TestPoolSIMD(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	defer func() { hasAVX512 = true }()
	rng := rand.New(rand.NewPCG(8, 8))
	for _, sh := range []struct{ h, w int }{{1, 1}, {1, 5}, {4, 1}, {2, 2}, {3, 7}, {9, 9}, {19, 19}, {5, 17}, {6, 32}} {
		for _, c := range []int{1, 3} {
			for _, n := range []int{1, 2} {
				for _, threads := range []int{1, 2} {
					s := nets.Shape{C: c, H: sh.h, W: sh.w}
					o := &poolOp{in: 0, out: 1, inShape: s, outShape: s, size: 3, stride: 1}
					src := randPlanes(rng, c*n*s.H*s.W)
					var out [2][]float32
					for i, simd := range []bool{false, true} {
						hasAVX512 = simd
						b := &Backend{n: n, act: [][]float32{src, make([]float32, len(src))}}
						for range threads {
							b.scratch = append(b.scratch, &scratch{tmp: make([]float32, s.H*s.W)})
						}
						for w := range threads {
							o.run(b, w, threads)
						}
						out[i] = b.act[1]
					}
					if i, ok := sameBits(out[1], out[0]); !ok {
						t.Fatalf("%dx%d c %d n %d threads %d: out[%d] = %v, want %v", sh.h, sh.w, c, n, threads, i, out[1][i], out[0][i])
					}
				}
			}
		}
	}
}

// TestConformanceGo runs the conformance suite on the Go passes (what
// CPUs without AVX-512 run) on a machine that has the AVX-512 ones.
func TestConformanceGo(t *testing.T) {
	if !hasAVX512 {
		t.Skip("TestConformance covers the Go passes here")
	}
	hasAVX512 = false
	defer func() { hasAVX512 = true }()
	netstest.Conformance(t, "go-passes", func(w *nets.Weights) (nets.Backend, error) {
		return New(w, Options{MaxBatch: 8, Threads: 2, Conv3x3: ConvWinograd})
	}, naive)
}
