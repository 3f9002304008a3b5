package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/cpu"
	"github.com/tengen-go/tengen/nets/cuda"
)

// gpuSgemmN is the size of the square SGEMM whose rate the GPU rows are
// compared with.
const gpuSgemmN = 4096

// gpuNetsRow is one board size and batch size: the GPU backend against
// the fast CPU backend on the same weights and inputs, in the same run.
type gpuNetsRow struct {
	Size             int     `json:"size"`
	Batch            int     `json:"batch"`
	GPUPosPerSec     float64 `json:"gpu_pos_per_s"`
	CPUPosPerSec     float64 `json:"cpu_pos_per_s"`
	Speedup          float64 `json:"speedup"` // GPU / CPU
	GPUTFLOPs        float64 `json:"gpu_tflops"`
	CPUGFLOPs        float64 `json:"cpu_gflops"`
	ShareOfSgemm     float64 `json:"share_of_sgemm"` // GPU TFLOP/s / cuBLAS SGEMM TFLOP/s
	FLOPsPerPosition float64 `json:"flops_per_position"`
}

// gpuNetsTable is the result of "tengen bench nets --backend cuda". The
// top-level figures are those of the headline row (19x19, batch 256 when
// measured).
type gpuNetsTable struct {
	Device        cuda.DeviceInfo `json:"device"`
	CPU           string          `json:"cpu"`
	Threads       int             `json:"threads"`
	BLAS          string          `json:"blas"`
	SgemmShape    string          `json:"sgemm_shape"`
	SgemmTFLOPs   float64         `json:"sgemm_tflops"`
	HeadlineSize  int             `json:"headline_size"`
	HeadlineBatch int             `json:"headline_batch"`
	GPUPosPerSec  float64         `json:"gpu_pos_per_s"`
	CPUPosPerSec  float64         `json:"cpu_pos_per_s"`
	Speedup       float64         `json:"speedup"`
	Rows          []gpuNetsRow    `json:"rows"`
}

func (t gpuNetsTable) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "default network forward on %s\n", t.Device)
	fmt.Fprintf(&b, "against the fast CPU path on %s, %d threads (%s); cuBLAS SGEMM %s: %.1f TFLOP/s\n", t.CPU, t.Threads, t.BLAS, t.SgemmShape, t.SgemmTFLOPs)
	fmt.Fprintf(&b, "%5s %5s %12s %12s %8s %9s %9s %7s\n", "size", "batch", "GPU pos/s", "CPU pos/s", "speedup", "GPU TF/s", "CPU GF/s", "%sgemm")
	for _, r := range t.Rows {
		fmt.Fprintf(&b, "%2dx%-2d %5d %12.0f %12.1f %7.1fx %9.2f %9.1f %6.1f%%\n",
			r.Size, r.Size, r.Batch, r.GPUPosPerSec, r.CPUPosPerSec, r.Speedup, r.GPUTFLOPs, r.CPUGFLOPs, 100*r.ShareOfSgemm)
	}
	return b.String()
}

// benchNetsGPU measures the default networks on the GPU described by info
// and on the fast CPU path, and cuBLAS's SGEMM rate.
func benchNetsGPU(ctx context.Context, o benchOptions, info cuda.DeviceInfo) (gpuNetsTable, error) {
	threads := runtime.GOMAXPROCS(0)
	batches := o.batches
	if !o.batchesSet {
		batches = []int{1, 8, 32, 128, 256}
	}
	dur := time.Duration(o.seconds * float64(time.Second))
	opts := cuda.Options{LibDirs: o.backend.libDirs}
	sg, err := cuda.MeasureSgemm(opts, gpuSgemmN, dur)
	if err != nil {
		return gpuNetsTable{}, err
	}
	t := gpuNetsTable{
		Device: info, CPU: cpuModel(), Threads: threads, BLAS: cpu.BLAS(),
		SgemmShape:  fmt.Sprintf("%d^3 float32", gpuSgemmN),
		SgemmTFLOPs: sg,
	}
	for _, size := range o.sizes {
		spec := nets.DefaultSpec(size)
		if err := spec.Validate(); err != nil {
			return t, usageError("--sizes: %v", err)
		}
		rng := rand.New(rand.NewPCG(o.seed, uint64(size)))
		w, err := nets.NewWeights(spec, rng)
		if err != nil {
			return t, err
		}
		for _, n := range batches {
			if n < 1 {
				return t, usageError("--batches: batch size %d < 1", n)
			}
			in, err := benchInputs(rng, size, n)
			if err != nil {
				return t, err
			}
			opts.MaxBatch = n
			gpu, err := cuda.New(w, opts)
			if err != nil {
				return t, err
			}
			gpuRate, err := timeForward(ctx, gpu, in, n, o.seconds)
			gpu.Close()
			if err != nil {
				return t, err
			}
			fast, err := cpu.New(w, cpu.Options{MaxBatch: n, Threads: threads})
			if err != nil {
				return t, err
			}
			cpuRate, err := timeForward(ctx, fast, in, n, o.seconds)
			fast.Close()
			if err != nil {
				return t, err
			}
			f := spec.FLOPs()
			r := gpuNetsRow{Size: size, Batch: n, GPUPosPerSec: gpuRate, CPUPosPerSec: cpuRate, Speedup: gpuRate / cpuRate,
				GPUTFLOPs: gpuRate * f / 1e12, CPUGFLOPs: cpuRate * f / 1e9, FLOPsPerPosition: f}
			r.ShareOfSgemm = r.GPUTFLOPs / t.SgemmTFLOPs
			t.Rows = append(t.Rows, r)
		}
	}
	if len(t.Rows) > 0 {
		h := t.Rows[len(t.Rows)-1]
		for _, r := range t.Rows {
			if r.Size == 19 && r.Batch == 256 {
				h = r
			}
		}
		t.HeadlineSize, t.HeadlineBatch = h.Size, h.Batch
		t.GPUPosPerSec, t.CPUPosPerSec, t.Speedup = h.GPUPosPerSec, h.CPUPosPerSec, h.Speedup
	}
	return t, nil
}

// cpuModel returns the processor's name from /proc/cpuinfo, or the
// architecture where there is none.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}
