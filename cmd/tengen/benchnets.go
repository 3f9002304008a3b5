package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/cpu"
	"github.com/tengen-go/tengen/nets/cuda"
	"github.com/tengen-go/tengen/nets/tape"
)

func init() {
	benchmarks["nets"] = benchNets
}

// netsRow is one board size and batch size: the fast CPU backend against
// the gorgonia reference on the same weights and inputs.
type netsRow struct {
	Size             int     `json:"size"`
	Batch            int     `json:"batch"`
	Precision        string  `json:"precision"` // in effect (cpu.Precision.Resolve of --precision)
	FastPosPerSec    float64 `json:"fast_pos_per_s"`
	GorgoniaPosPerS  float64 `json:"gorgonia_pos_per_s"`
	Ratio            float64 `json:"ratio"` // fast / gorgonia
	FastGFLOPs       float64 `json:"fast_gflops"`
	GorgoniaGFLOPs   float64 `json:"gorgonia_gflops"`
	ShareOfSgemm     float64 `json:"share_of_sgemm"`      // fast GFLOP/s / sgemm_gflops (1024^3)
	ShareOfSgemmConv float64 `json:"share_of_sgemm_conv"` // fast GFLOP/s / sgemm_conv_gflops
	FLOPsPerPosition float64 `json:"flops_per_position"`
}

// netsTable is the result of "tengen bench nets". The top-level pos/s and
// ratio are those of the headline row (19x19, batch 32 when measured).
type netsTable struct {
	BLAS        string  `json:"blas"`
	Threads     int     `json:"threads"`
	SgemmShape  string  `json:"sgemm_shape"`
	SgemmGFLOPs float64 `json:"sgemm_gflops"` // on cpu.SquareGEMM, 1024^3
	// The GEMM on the convolution-shaped product cpu.ConvGEMM (before
	// issue 18, sgemm_gflops was this one).
	SgemmConvShape  string    `json:"sgemm_conv_shape"`
	SgemmConvGFLOPs float64   `json:"sgemm_conv_gflops"`
	HeadlineSize    int       `json:"headline_size"`
	HeadlineBatch   int       `json:"headline_batch"`
	FastPosPerSec   float64   `json:"fast_pos_per_s"`
	GorgoniaPosPer  float64   `json:"gorgonia_pos_per_s"`
	Ratio           float64   `json:"ratio"`
	Rows            []netsRow `json:"rows"`
}

func (t netsTable) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "default network forward, %d threads; fast path BLAS %s: %.1f GFLOP/s on %s, %.1f on %s\n",
		t.Threads, t.BLAS, t.SgemmGFLOPs, t.SgemmShape, t.SgemmConvGFLOPs, t.SgemmConvShape)
	fmt.Fprintf(&b, "%5s %5s %5s %12s %12s %7s %10s %10s %7s\n", "size", "batch", "prec", "fast pos/s", "gorgonia", "ratio", "fast GF/s", "gorg GF/s", "%sgemm")
	for _, r := range t.Rows {
		fmt.Fprintf(&b, "%2dx%-2d %5d %5s %12.1f %12.1f %6.2fx %10.1f %10.1f %6.0f%%\n",
			r.Size, r.Size, r.Batch, r.Precision, r.FastPosPerSec, r.GorgoniaPosPerS, r.Ratio, r.FastGFLOPs, r.GorgoniaGFLOPs, 100*r.ShareOfSgemm)
	}
	return b.String()
}

func benchNets(ctx context.Context, e env, o benchOptions) (any, error) {
	if o.backend.kind != backendCPU {
		info, err := cuda.Probe(cuda.Options{LibDirs: o.backend.libDirs})
		switch {
		case err == nil:
			return benchNetsGPU(ctx, o, info)
		case o.backend.kind == backendCUDA:
			return nil, err
		}
		fmt.Fprintf(e.stderr, "tengen: cuda unavailable (%s); using the CPU backend\n", firstLine(err.Error()))
	}
	threads := runtime.GOMAXPROCS(0)
	g, sq := cpu.ConvGEMM, cpu.SquareGEMM
	d := time.Duration(o.seconds * float64(time.Second))
	t := netsTable{
		BLAS: cpu.BLAS(), Threads: threads,
		SgemmShape:      fmt.Sprintf("%dx%dx%d, %d threads", sq.M, sq.N, sq.K, threads),
		SgemmGFLOPs:     cpu.MeasureSgemm(sq.M, sq.N, sq.K, threads, d),
		SgemmConvShape:  fmt.Sprintf("(%dx%d)*(%dx%d), %d threads", g.M, g.K, g.K, g.N, threads),
		SgemmConvGFLOPs: cpu.MeasureSgemm(g.M, g.N, g.K, threads, d),
	}
	for _, size := range o.sizes {
		spec := nets.DefaultSpec(size)
		if err := spec.Validate(); err != nil {
			return nil, usageError("--sizes: %v", err)
		}
		rng := rand.New(rand.NewPCG(o.seed, uint64(size)))
		w, err := nets.NewWeights(spec, rng)
		if err != nil {
			return nil, err
		}
		for _, n := range o.batches {
			if n < 1 {
				return nil, usageError("--batches: batch size %d < 1", n)
			}
			in, err := benchInputs(rng, size, n)
			if err != nil {
				return nil, err
			}
			ref, err := tape.New(w, n)
			if err != nil {
				return nil, err
			}
			refRate, err := timeForward(ctx, ref, in, n, o.seconds)
			ref.Close()
			if err != nil {
				return nil, err
			}
			for _, p := range o.backend.precisions() {
				fast, err := cpu.New(w, cpu.Options{MaxBatch: n, Threads: threads, Precision: p})
				if err != nil {
					return nil, err
				}
				prec := fast.Precision()
				fastRate, err := timeForward(ctx, fast, in, n, o.seconds)
				fast.Close()
				if err != nil {
					return nil, err
				}
				f := spec.FLOPs()
				r := netsRow{
					Size: size, Batch: n, Precision: prec.String(), FastPosPerSec: fastRate, GorgoniaPosPerS: refRate, Ratio: fastRate / refRate,
					FastGFLOPs: fastRate * f / 1e9, GorgoniaGFLOPs: refRate * f / 1e9, FLOPsPerPosition: f,
				}
				r.ShareOfSgemm = r.FastGFLOPs / t.SgemmGFLOPs
				r.ShareOfSgemmConv = r.FastGFLOPs / t.SgemmConvGFLOPs
				t.Rows = append(t.Rows, r)
			}
		}
	}
	// Headline: 19x19 batch 32 (the first precision's), else the last row
	// measured.
	if len(t.Rows) > 0 {
		h := t.Rows[len(t.Rows)-1]
		for i := len(t.Rows) - 1; i >= 0; i-- {
			if r := t.Rows[i]; r.Size == 19 && r.Batch == 32 {
				h = r
			}
		}
		t.HeadlineSize, t.HeadlineBatch = h.Size, h.Batch
		t.FastPosPerSec, t.GorgoniaPosPer, t.Ratio = h.FastPosPerSec, h.GorgoniaPosPerS, h.Ratio
	}
	return t, nil
}

// timeForward runs one warm-up Forward (graphs and buffers are built
// lazily), then Forwards of n positions for about seconds (at least one),
// and returns positions per second.
func timeForward(ctx context.Context, b nets.Backend, in []float32, n int, seconds float64) (float64, error) {
	spec := b.Spec()
	policy, value := make([]float32, n*spec.Moves()), make([]float32, n)
	if err := b.Forward(ctx, in, n, policy, value); err != nil {
		return 0, err
	}
	start := time.Now()
	deadline := start.Add(time.Duration(seconds * float64(time.Second)))
	calls := 0
	for calls == 0 || time.Now().Before(deadline) {
		if err := b.Forward(ctx, in, n, policy, value); err != nil {
			return 0, err
		}
		calls++
	}
	return float64(calls*n) / time.Since(start).Seconds(), nil
}

// benchInputs encodes n positions from random games (a few dozen random
// legal moves each), so that inputs have realistic sparsity.
func benchInputs(rng *rand.Rand, size, n int) ([]float32, error) {
	plane := nets.NumPlanesV1 * size * size
	out := make([]float32, n*plane)
	var buf []board.Point
	for i := range n {
		g, err := board.NewGame(size, 7.5, board.DefaultRules())
		if err != nil {
			return nil, err
		}
		for range rng.IntN(size*size/2 + 1) {
			c := g.ToMove()
			buf = g.LegalMoves(c, buf)
			if len(buf) == 0 {
				break
			}
			if err := g.Play(c, buf[rng.IntN(len(buf))]); err != nil {
				return nil, err
			}
		}
		nets.Encode(g, nets.Symmetry(rng.IntN(nets.NumSymmetries)), out[i*plane:(i+1)*plane])
	}
	return out, nil
}
