package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/cpu"
	"github.com/tengen-go/tengen/nets/cuda"
)

// Inference backends of --backend.
const (
	backendCPU  = "cpu"
	backendCUDA = "cuda"
	backendAuto = "auto"
)

// backendFlags are --backend and --cuda-lib-dir. The default is cpu: the
// GPU backend has not yet run on a GPU (docs/perf.md), and auto would
// print its fallback line on every CPU-only run.
type backendFlags struct {
	name      string // the backend flag's name
	kind      string
	libDirs   []string
	precision []string // --precision: cpu.ParsePrecision names
}

// bind defines the flags; name is the backend flag's name ("backend", or
// "net-backend" where training has a --backend of its own), precision
// the --precision default: precisionPlay for the commands that play,
// precisionReference for the others.
func (f *backendFlags) bind(fs *pflag.FlagSet, name, precision string) {
	f.name = name
	fs.StringVar(&f.kind, name, backendCPU, "network backend: cpu, cuda (NVIDIA GPU) or auto (cuda when usable, else cpu with one line on stderr)")
	fs.StringSliceVar(&f.precision, "precision", []string{precision}, "CPU backend arithmetic of the trunk convolutions: fp32, bf16 (AVX512_BF16), int8 (AVX512_VNNI; calibrated at start-up) or auto (the fastest this CPU has); without the instructions, fp32. bench nets takes a list and measures each; other commands use the first")
	fs.StringArrayVar(&f.libDirs, "cuda-lib-dir", nil, "folder with the CUDA libraries (libcublas, libnvrtc; a pip venv or site-packages with NVIDIA's wheels too), searched after the system's and before $"+cuda.EnvLibDir+"; repeatable")
}

// The --precision defaults. The commands that play (gtp, analysis,
// review) take auto: the search asks the network about single positions,
// where int8 (AVX512_VNNI) runs 2.3 times as fast as fp32 on 19x19 and
// agrees with it on 99.7% of top-1 moves (docs/perf.md), so the network
// can refine more of the tree in the same time. Measurement commands
// (eval, bench), training and self-play keep fp32, the reference.
const (
	precisionPlay      = "auto"
	precisionReference = "fp32"
)

func (f *backendFlags) validate() error {
	if len(f.precision) == 0 {
		return usageError("--precision: want fp32, bf16, int8 or auto")
	}
	for _, p := range f.precision {
		if _, err := cpu.ParsePrecision(p); err != nil {
			return usageError("--precision %q: want fp32, bf16, int8 or auto", p)
		}
	}
	switch f.kind {
	case backendCPU, backendCUDA, backendAuto:
		return nil
	}
	return usageError("--%s %q: want cpu, cuda or auto", f.name, f.kind)
}

// precisions returns --precision parsed (fp32 where unset or invalid:
// validate reports those).
func (f *backendFlags) precisions() []cpu.Precision {
	var ps []cpu.Precision
	for _, s := range f.precision {
		p, _ := cpu.ParsePrecision(s)
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		ps = []cpu.Precision{cpu.FP32}
	}
	return ps
}

// chooser returns the backend factory for these flags; it logs to log.
func (f *backendFlags) chooser(log io.Writer) *backendChooser {
	return &backendChooser{kind: f.kind, libDirs: f.libDirs, precision: f.precisions()[0], log: log}
}

// backendChooser makes inference backends as --backend says. In auto
// mode the first failure of the GPU backend is printed once, and every
// later network goes to the CPU without trying again.
type backendChooser struct {
	kind      string
	libDirs   []string
	precision cpu.Precision // the CPU backend's
	log       io.Writer

	mu        sync.Mutex
	fellBack  bool
	announced bool
}

// open returns a backend for w with batches of up to maxBatch; threads is
// the CPU backend's (0: all cores).
func (c *backendChooser) open(w *nets.Weights, maxBatch, threads int) (nets.Backend, error) {
	newCPU := func() (nets.Backend, error) {
		var p cpu.Precision
		if c != nil {
			p = c.precision
		}
		return cpu.New(w, cpu.Options{MaxBatch: maxBatch, Threads: threads, Precision: p})
	}
	if c == nil || c.kind == backendCPU || c.kind == "" {
		return newCPU()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fellBack {
		return newCPU()
	}
	b, err := cuda.New(w, cuda.Options{MaxBatch: maxBatch, LibDirs: c.libDirs})
	if err == nil {
		if !c.announced {
			c.announced = true
			fmt.Fprintf(c.log, "tengen: networks on the GPU: %s\n", b.Device())
		}
		return b, nil
	}
	if c.kind == backendCUDA {
		return nil, err
	}
	c.fellBack = true
	fmt.Fprintf(c.log, "tengen: cuda unavailable (%s); using the CPU backend\n", firstLine(err.Error()))
	return newCPU()
}

// openPool returns the backends a batcher runs at once for w (see
// nets.NewBatcherPool): on the CPU one single-threaded backend per core
// (GOMAXPROCS), since one Forward split over cores syncs after every
// layer and small batches then gain little (19x19, batch 4: 750
// positions/s on one core, 794 on two; docs/perf.md), while two batches
// side by side use both; int8 backends share one calibration. On the GPU,
// one backend.
func (c *backendChooser) openPool(w *nets.Weights, maxBatch int) ([]nets.Backend, error) {
	first, err := c.open(w, maxBatch, 1)
	if err != nil {
		return nil, err
	}
	fc, ok := first.(*cpu.Backend)
	if !ok {
		return []nets.Backend{first}, nil
	}
	return cpuPool(w, maxBatch, runtime.GOMAXPROCS(0), fc)
}

// cpuPool returns first and n-1 more single-threaded CPU backends for w
// with first's precision and int8 calibration; on an error it closes
// them all, first included.
func cpuPool(w *nets.Weights, maxBatch, n int, first *cpu.Backend) ([]nets.Backend, error) {
	pool := []nets.Backend{first}
	for len(pool) < n {
		b, err := cpu.New(w, cpu.Options{MaxBatch: maxBatch, Threads: 1, Precision: first.Precision(), Calibration: first.Calibration()})
		if err != nil {
			closeAll(pool)
			return nil, err
		}
		pool = append(pool, b)
	}
	return pool, nil
}

// closeAll closes every backend.
func closeAll(bs []nets.Backend) {
	for _, b := range bs {
		b.Close()
	}
}

// firstLine returns s up to its first newline (NVRTC's compile log
// follows), marking the cut.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}
