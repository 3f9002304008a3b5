package cpu

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
	"github.com/tengen-go/tengen/nets/tape"
)

func naive(w *nets.Weights) (nets.Backend, error) { return netstest.NewNaive(w) }

func TestConformance(t *testing.T) {
	for _, c := range []struct {
		algo    ConvAlgo
		threads int
	}{
		{ConvIm2col, 1},
		{ConvWinograd, 3},
		{ConvAuto, 2},
	} {
		name := fmt.Sprintf("%v-t%d", c.algo, c.threads)
		netstest.Conformance(t, name, func(w *nets.Weights) (nets.Backend, error) {
			return New(w, Options{MaxBatch: 8, Threads: c.threads, Conv3x3: c.algo})
		}, naive)
	}
}

// TestConformanceTape runs the suite against the gorgonia reference.
func TestConformanceTape(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("gorgonia graphs are slow to build; the naive reference covers -short and -race")
	}
	netstest.Conformance(t, "tape", func(w *nets.Weights) (nets.Backend, error) {
		return New(w, Options{MaxBatch: 8, Threads: 2})
	}, func(w *nets.Weights) (nets.Backend, error) { return tape.New(w, 8) })
}

// TestDefaultSpec runs the default networks with both 3x3 algorithms and
// several thread counts against the naive reference.
func TestDefaultSpec(t *testing.T) {
	sizes := []int{9, 19}
	if testing.Short() || raceEnabled {
		sizes = []int{9}
	}
	for _, size := range sizes {
		spec := nets.DefaultSpec(size)
		rng := rand.New(rand.NewPCG(uint64(size), 7))
		w, err := netstest.RandomWeights(spec, rng)
		if err != nil {
			t.Fatal(err)
		}
		const n = 3
		in := netstest.MixedInputs(rng, spec, n)
		ref, _ := netstest.NewNaive(w)
		rp, rv := make([]float32, n*spec.Moves()), make([]float32, n)
		if err := ref.Forward(context.Background(), in, n, rp, rv); err != nil {
			t.Fatal(err)
		}
		for _, algo := range []ConvAlgo{ConvIm2col, ConvWinograd} {
			for _, threads := range []int{1, 2, 5} {
				t.Run(fmt.Sprintf("%d/%v/t%d", size, algo, threads), func(t *testing.T) {
					b, err := New(w, Options{MaxBatch: 4, Threads: threads, Conv3x3: algo})
					if err != nil {
						t.Fatal(err)
					}
					defer b.Close()
					p, v := make([]float32, n*spec.Moves()), make([]float32, n)
					if err := b.Forward(context.Background(), in, n, p, v); err != nil {
						t.Fatal(err)
					}
					if e := netstest.RelErr(p, rp); !(e <= netstest.Tolerance) {
						t.Errorf("policy relative error %.3g", e)
					}
					if e := netstest.RelErr(v, rv); !(e <= netstest.Tolerance) {
						t.Errorf("value relative error %.3g: %v vs %v", e, v, rv)
					}
				})
			}
		}
	}
}

// TestBatchNormFold checks the folded convolution against conv followed
// by a batch norm with non-trivial statistics.
func TestBatchNormFold(t *testing.T) {
	spec := nets.Spec{
		BoardSize: 7, Features: nets.FeaturesV1,
		Trunk: []nets.Layer{
			{Kind: nets.KindConv, Filters: 6, Kernel: 3}, {Kind: nets.KindBatchNorm, Epsilon: 1e-3}, {Kind: nets.KindReLU},
			{Kind: nets.KindConv, Filters: 5, Kernel: 1}, {Kind: nets.KindBatchNorm}, {Kind: nets.KindDropout, Rate: 0.2}, {Kind: nets.KindTanh},
		},
		Policy: nets.PolicyHead{Kind: "conv", Filters: 3},
		Value:  nets.ValueHead{Filters: 2, Hidden: 6},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	w, err := netstest.RandomWeights(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{1, 4} {
		for j := range 6 - i/4 {
			w.Tensor(fmt.Sprintf("trunk.%d.mean", i)).Data[j] = float32(rng.NormFloat64())
			w.Tensor(fmt.Sprintf("trunk.%d.var", i)).Data[j] = 0.1 + 3*rng.Float32()
			w.Tensor(fmt.Sprintf("trunk.%d.gamma", i)).Data[j] = 0.5 + rng.Float32()
			w.Tensor(fmt.Sprintf("trunk.%d.beta", i)).Data[j] = float32(rng.NormFloat64())
		}
	}
	compare(t, w, Options{MaxBatch: 2, Threads: 2}, 2, rng)
}

func compare(t *testing.T, w *nets.Weights, opts Options, n int, rng *rand.Rand) {
	t.Helper()
	spec := w.Spec
	in := netstest.MixedInputs(rng, spec, n)
	ref, err := netstest.NewNaive(w)
	if err != nil {
		t.Fatal(err)
	}
	rp, rv := make([]float32, n*spec.Moves()), make([]float32, n)
	if err := ref.Forward(context.Background(), in, n, rp, rv); err != nil {
		t.Fatal(err)
	}
	b, err := New(w, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, v := make([]float32, n*spec.Moves()), make([]float32, n)
	if err := b.Forward(context.Background(), in, n, p, v); err != nil {
		t.Fatal(err)
	}
	if e := netstest.RelErr(p, rp); !(e <= netstest.Tolerance) {
		t.Errorf("policy relative error %.3g", e)
	}
	if e := netstest.RelErr(v, rv); !(e <= netstest.Tolerance) {
		t.Errorf("value relative error %.3g: %v vs %v", e, v, rv)
	}
}

// TestBatchSizes runs every batch size up to MaxBatch through one backend
// (buffers are laid out per batch size) and compares each with the
// positions evaluated one at a time, with batches in one chunk and split
// into chunks of 2.
func TestBatchSizes(t *testing.T) {
	defer func(cf int) { chunkFloats = cf }(chunkFloats)
	for _, cf := range []int{chunkFloats, 2 * 64 * 5 * 5} {
		chunkFloats = cf
		testBatchSizes(t)
	}
}

func testBatchSizes(t *testing.T) {
	spec := nets.DefaultSpec(5)
	rng := rand.New(rand.NewPCG(5, 5))
	w, err := netstest.RandomWeights(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(w, Options{MaxBatch: 6, Threads: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	t.Logf("chunks of %d positions", b.chunk)
	moves := spec.Moves()
	sh, _ := spec.InputShape()
	all := netstest.MixedInputs(rng, spec, 6)
	one := func(i int) ([]float32, float32) {
		p, v := make([]float32, moves), make([]float32, 1)
		if err := b.Forward(context.Background(), all[i*sh.Len():(i+1)*sh.Len()], 1, p, v); err != nil {
			t.Fatal(err)
		}
		return p, v[0]
	}
	for _, n := range []int{6, 1, 4, 2, 5, 3} {
		p, v := make([]float32, n*moves), make([]float32, n)
		if err := b.Forward(context.Background(), all, n, p, v); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			p1, v1 := one(i)
			if e := netstest.RelErr(p[i*moves:(i+1)*moves], p1); e > 1e-5 {
				t.Errorf("batch %d position %d: policy differs from batch 1 by %.3g", n, i, e)
			}
			if e := netstest.RelErr(v[i:i+1], []float32{v1}); e > 1e-5 {
				t.Errorf("batch %d position %d: value %v; batch 1 gives %v", n, i, v[i], v1)
			}
		}
	}
}

func TestForwardErrors(t *testing.T) {
	spec := nets.DefaultSpec(5)
	w, err := netstest.RandomWeights(spec, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(w, Options{MaxBatch: 4, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	netstest.CheckErrors(t, b)
	sh, _ := spec.InputShape()
	in, p, v := make([]float32, 5*sh.Len()), make([]float32, 5*spec.Moves()), make([]float32, 5)
	if err := b.Forward(context.Background(), in, 5, p, v); err == nil {
		t.Errorf("Forward(n=5 > MaxBatch 4) = nil; want an error")
	}
	if err := b.Forward(context.Background(), in, 0, p, v); err == nil {
		t.Errorf("Forward(n=0) = nil; want an error")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Forward(context.Background(), in, 1, p, v); !errors.Is(err, ErrClosed) {
		t.Errorf("Forward after Close = %v; want ErrClosed", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestOptions(t *testing.T) {
	spec := nets.DefaultSpec(5)
	w, err := netstest.RandomWeights(spec, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		opts Options
		ok   bool
	}{
		{Options{}, true},
		{Options{MaxBatch: 1, Threads: 1, Conv3x3: ConvWinograd}, true},
		{Options{MaxBatch: -1}, false},
		{Options{Threads: -2}, false},
		{Options{Conv3x3: ConvAlgo(9)}, false},
	} {
		b, err := New(w, c.opts)
		if (err == nil) != c.ok {
			t.Errorf("New(%+v) error = %v; want ok=%v", c.opts, err, c.ok)
		}
		if err == nil {
			o := b.Options()
			if o.MaxBatch < 1 || o.Threads < 1 {
				t.Errorf("New(%+v).Options() = %+v: defaults not filled", c.opts, o)
			}
			b.Close()
		}
	}
	bad := w.Clone()
	bad.Tensors = bad.Tensors[1:]
	if _, err := New(bad, Options{}); err == nil {
		t.Errorf("New with a missing tensor = nil error")
	}
}

// TestAllocs requires a steady-state Forward to allocate nothing.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	spec := nets.DefaultSpec(9)
	rng := rand.New(rand.NewPCG(2, 2))
	w, err := netstest.RandomWeights(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []Options{{Conv3x3: ConvIm2col}, {Conv3x3: ConvWinograd}, {Precision: BF16}, {Precision: Int8}} {
		opts.MaxBatch, opts.Threads = 4, 2
		b, err := New(w, opts)
		if err != nil {
			t.Fatal(err)
		}
		const n = 4
		in := netstest.MixedInputs(rng, spec, n)
		p, v := make([]float32, n*spec.Moves()), make([]float32, n)
		ctx := context.Background()
		allocs := testing.AllocsPerRun(20, func() {
			if err := b.Forward(ctx, in, n, p, v); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 0 {
			t.Errorf("%v %v: Forward allocates %.1f times per call; want 0", opts.Conv3x3, opts.Precision, allocs)
		}
		b.Close()
	}
}

// TestAllocsHeads: the ownership and score heads allocate nothing either.
func TestAllocsHeads(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	spec := nets.DefaultSpec(9)
	spec.Value.Kind = nets.ValuePool
	spec.Ownership.Filters = 4
	spec.Score.Hidden = 16
	rng := rand.New(rand.NewPCG(2, 3))
	w, err := netstest.RandomWeights(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(w, Options{MaxBatch: 4, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const n = 4
	in := netstest.MixedInputs(rng, spec, n)
	out := nets.Outputs{Policy: make([]float32, n*spec.Moves()), Value: make([]float32, n), Ownership: make([]float32, n*81), Score: make([]float32, n)}
	ctx := context.Background()
	allocs := testing.AllocsPerRun(20, func() {
		if err := b.ForwardOutputs(ctx, in, n, out); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Errorf("ForwardOutputs allocates %.1f times per call; want 0", allocs)
	}
}

// TestNoGoroutineLeak checks that New starts no goroutines and Close stops
// the workers Forward started.
func TestNoGoroutineLeak(t *testing.T) {
	spec := nets.DefaultSpec(5)
	w, err := netstest.RandomWeights(spec, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	b, err := New(w, Options{MaxBatch: 2, Threads: 4})
	if err != nil {
		t.Fatal(err)
	}
	if g := runtime.NumGoroutine(); g != before {
		t.Errorf("New started %d goroutines", g-before)
	}
	sh, _ := spec.InputShape()
	if err := b.Forward(context.Background(), make([]float32, sh.Len()), 1, make([]float32, spec.Moves()), make([]float32, 1)); err != nil {
		t.Fatal(err)
	}
	if g := runtime.NumGoroutine(); g != before+3 {
		t.Errorf("after Forward with 4 threads: %d new goroutines; want 3", g-before)
	}
	b.Close()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g != before {
		t.Errorf("after Close: %d goroutines left over", g-before)
	}
}

// TestWinogradWeights checks the weight transform against G g G^T
// computed with explicit matrices.
func TestWinogradWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const f, c = 3, 2
	wt := make([]float32, f*c*9)
	for i := range wt {
		wt[i] = float32(rng.NormFloat64())
	}
	u := winogradWeights(wt, f, c)
	G := [4][3]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
	for o := range f {
		for ch := range c {
			g := wt[(o*c+ch)*9:]
			for i := range 4 {
				for j := range 4 {
					var want float64
					for a := range 3 {
						for bb := range 3 {
							want += G[i][a] * float64(g[a*3+bb]) * G[j][bb]
						}
					}
					if got := u[((4*i+j)*f+o)*c+ch]; abs(float64(got)-want) > 1e-5 {
						t.Errorf("U[%d][%d] (%d,%d) = %v; want %v", i, j, o, ch, got, want)
					}
				}
			}
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
