package cuda

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
)

// The tests in this file need an NVIDIA GPU, its driver, cuBLAS and
// NVRTC, and a binary built without -tags tengen_nocuda; elsewhere they skip, saying
// why. scripts/gpu-build and scripts/gpu-check run them on a GPU machine.

// gpuOrSkip returns the GPU's description or skips t.
func gpuOrSkip(t *testing.T) DeviceInfo {
	t.Helper()
	info, err := Probe(Options{})
	if errors.Is(err, ErrUnavailable) {
		t.Skipf("no GPU: %v", err)
	}
	if err != nil {
		t.Fatalf("Probe: %v", err)
	}
	return info
}

func newGPU(opts Options) func(w *nets.Weights) (nets.Backend, error) {
	return func(w *nets.Weights) (nets.Backend, error) { return New(w, opts) }
}

// TestConformanceGPU runs the conformance suite on the GPU against the
// naive reference.
func TestConformanceGPU(t *testing.T) {
	info := gpuOrSkip(t)
	t.Logf("GPU: %v", info)
	t.Logf("libraries: %s, %s, %s", info.Driver, info.CuBLAS, info.NVRTC)
	netstest.Conformance(t, "cuda", newGPU(Options{MaxBatch: 2}), naive)
}

// TestDefaultSpecGPU runs the default networks, and them with the heads
// of issue 14, at the batch sizes of the benchmark against the fast CPU
// backend; batch 256 on 19x19 runs its 3x3
// convolutions in several im2col blocks.
func TestDefaultSpecGPU(t *testing.T) {
	gpuOrSkip(t)
	batches := []int{1, 8, 256}
	if fakeDriver {
		batches = []int{1, 8}
	}
	for _, size := range []int{9, 19} {
		for _, n := range batches {
			compareWithCPU(t, fmt.Sprintf("default-%d", size), nets.DefaultSpec(size), newGPU(Options{MaxBatch: n}), n, uint64(n))
			compareWithCPU(t, fmt.Sprintf("heads-%d", size), headsSpec(nets.DefaultSpec(size)), newGPU(Options{MaxBatch: n}), n, uint64(n)+1)
		}
	}
}

// TestConcurrentGPU runs Forward from several goroutines on two streams.
func TestConcurrentGPU(t *testing.T) {
	gpuOrSkip(t)
	testConcurrent(t, newGPU(Options{MaxBatch: 2, Streams: 2}))
}

// TestGemmGPU checks the row-major mapping on cuBLAS itself: odd shapes,
// every transpose combination, padded strides and an offset C, in float32
// and float64, against the row-major reference.
func TestGemmGPU(t *testing.T) {
	gpuOrSkip(t)
	dev, err := openDevice(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.close()
	leave := dev.enter()
	defer leave()
	s, err := dev.newStream()
	if err != nil {
		t.Fatal(err)
	}
	defer s.destroy()
	rng := rand.New(rand.NewPCG(9, 9))
	for trial := range 16 {
		g := gemm{transA: trial&1 != 0, transB: trial&2 != 0, m: 17 + rng.IntN(20), n: 1 + rng.IntN(30), k: 5 + rng.IntN(40),
			alpha: 1, beta: float64(trial >> 3)}
		rowsA, colsA := g.m, g.k
		if g.transA {
			rowsA, colsA = g.k, g.m
		}
		rowsB, colsB := g.k, g.n
		if g.transB {
			rowsB, colsB = g.n, g.k
		}
		g.lda, g.ldb, g.ldc = colsA+1, colsB+2, g.n+3
		sizeA, sizeB, sizeC := rowsA*g.lda, rowsB*g.ldb, g.m*g.ldc
		mem := make([]float64, sizeA+sizeB+sizeC)
		for i := range mem {
			mem[i] = float64(float32(rng.NormFloat64()))
		}
		want := slices.Clone(mem)
		rg := g
		rg.a, rg.b, rg.c = 0, devPtr(sizeA), devPtr(sizeA+sizeB)
		refRowGemm(want, rg)
		for _, double := range []bool{false, true} {
			esize := 4
			if double {
				esize = 8
			}
			p, err := dev.alloc(esize * len(mem))
			if err != nil {
				t.Fatal(err)
			}
			dg := g
			dg.a, dg.b, dg.c = p, p+devPtr(esize*sizeA), p+devPtr(esize*(sizeA+sizeB))
			got := make([]float64, len(mem))
			if double {
				err = uploadF64(dev, p, mem)
				if err == nil {
					err = dgemmRow(s, dg)
				}
				if err == nil {
					err = s.sync()
				}
				// Read back through float32 halves: the stream copies float32.
				buf := make([]float32, 2*len(mem))
				if err == nil {
					err = dtohAll(dev, s, buf, p)
				}
				for i := range got {
					got[i] = math.Float64frombits(uint64(math.Float32bits(buf[2*i])) | uint64(math.Float32bits(buf[2*i+1]))<<32)
				}
			} else {
				f := make([]float32, len(mem))
				for i, v := range mem {
					f[i] = float32(v)
				}
				err = uploadF32(dev, p, f)
				if err == nil {
					err = sgemmRow(s, dg)
				}
				if err == nil {
					err = dtohAll(dev, s, f, p)
				}
				for i, v := range f {
					got[i] = float64(v)
				}
			}
			dev.free(p)
			if err != nil {
				t.Fatalf("trial %d: %v", trial, err)
			}
			tol := 1e-4
			if double {
				tol = 1e-12
			}
			for i := range got {
				if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
					t.Fatalf("trial %d (%+v, double %v): element %d = %v; want %v", trial, g, double, i, got[i], want[i])
				}
			}
		}
	}
}

// dtohAll copies len(dst) floats from p to dst through page-locked memory
// and waits.
func dtohAll(dev device, s stream, dst []float32, p devPtr) error {
	h, err := dev.allocHost(len(dst))
	if err != nil {
		return err
	}
	defer dev.freeHost(h)
	if err := s.dtoh(h, p); err != nil {
		return err
	}
	if err := s.sync(); err != nil {
		return err
	}
	copy(dst, h)
	return nil
}

func TestMeasureSgemmGPU(t *testing.T) {
	gpuOrSkip(t)
	n, least := 1024, 0.1
	if fakeDriver {
		n, least = 64, 0
	}
	tf, err := MeasureSgemm(Options{}, n, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if !(tf > least) {
		t.Errorf("sgemm at %.3f TFLOP/s", tf)
	}
	t.Logf("sgemm %d^3: %.3f TFLOP/s", n, tf)
}
