package cuda

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/cpu"
	"github.com/tengen-go/tengen/nets/netstest"
)

func naive(w *nets.Weights) (nets.Backend, error) { return netstest.NewNaive(w) }

// simBackend returns a function making backends on the simulator d.
func simBackend(d *simDevice, opts Options) func(w *nets.Weights) (nets.Backend, error) {
	opts.EnsureDefaults()
	return func(w *nets.Weights) (nets.Backend, error) { return newBackend(w, opts, d, simInfo) }
}

// checkReleased fails t if d has device memory, host buffers or streams
// left.
func checkReleased(t *testing.T, d *simDevice) {
	t.Helper()
	if a, h, s := d.live(); a != 0 || h != 0 || s != 0 {
		t.Errorf("after Close: %d device allocations, %d host buffers, %d streams left", a, h, s)
	}
}

// TestConformanceSim runs the conformance suite with the backend on the
// host simulator (the real plan and kernels, no GPU) against the naive
// reference. Buffers start at 2 positions, so batches of 3 and 8 grow
// them.
func TestConformanceSim(t *testing.T) {
	d := startSim(t)
	if testing.Short() {
		netstest.Sizes = []int{5, 9}
		defer func() { netstest.Sizes = []int{5, 9, 19} }()
	}
	netstest.Conformance(t, "sim", simBackend(d, Options{MaxBatch: 2}), naive)
	checkReleased(t, d)
	for k, n := range d.launches {
		if n == 0 {
			t.Errorf("kernel %s never launched by the suite", kernelID(k))
		}
	}
}

// TestSimBlocks runs the default networks on the simulator with tiny
// im2col blocks and grids of at most 3 blocks, so that convolutions run
// in many column blocks and every kernel loops with its grid stride, and
// compares with the fast CPU backend.
func TestSimBlocks(t *testing.T) {
	d := startSim(t)
	defer func(b, g int) { colBudget, maxGrid = b, g }(colBudget, maxGrid)
	maxGrid = 3
	sizes := []int{9, 19}
	if testing.Short() {
		sizes = []int{9}
	}
	for _, size := range sizes {
		spec := nets.DefaultSpec(size)
		colBudget = 29 * 25 * 100 // about 100 columns per block
		compareWithCPU(t, fmt.Sprintf("default-%d", size), spec, simBackend(d, Options{MaxBatch: 3, Streams: 1}), 3, 1)
		heads := headsSpec(spec)
		compareWithCPU(t, fmt.Sprintf("heads-%d", size), heads, simBackend(d, Options{MaxBatch: 3, Streams: 1}), 3, 2)
	}
	checkReleased(t, d)
}

// headsSpec is spec with the heads of issue 14: a pooled value head, an
// ownership and a score head, and the ladder features.
func headsSpec(spec nets.Spec) nets.Spec {
	spec.Name += "-heads"
	spec.Features = nets.FeaturesV2
	spec.Value.Kind = nets.ValuePool
	spec.Ownership.Filters = 6
	spec.Score.Hidden = 24
	return spec
}

// compareWithCPU runs a random network of spec on newBackend and on the
// fast CPU backend with the same inputs (batch n), seed-chosen, and
// requires the netstest tolerance, for the ownership and score too when
// spec has those heads.
func compareWithCPU(t *testing.T, name string, spec nets.Spec, newBackend func(*nets.Weights) (nets.Backend, error), n int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, uint64(spec.BoardSize)))
	w, err := netstest.RandomWeights(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	in := netstest.MixedInputs(rng, spec, n)
	ref, err := cpu.New(w, cpu.Options{MaxBatch: n})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	rp, rv := make([]float32, n*spec.Moves()), make([]float32, n)
	outputs := func(p, v []float32) nets.Outputs {
		o := nets.Outputs{Policy: p, Value: v}
		if spec.HasOwnership() {
			o.Ownership = make([]float32, n*spec.Area())
		}
		if spec.HasScore() {
			o.Score = make([]float32, n)
		}
		return o
	}
	rout := outputs(rp, rv)
	if err := ref.ForwardOutputs(context.Background(), in, n, rout); err != nil {
		t.Fatal(err)
	}
	b, err := newBackend(w)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer b.Close()
	p, v := make([]float32, n*spec.Moves()), make([]float32, n)
	out := outputs(p, v)
	if err := nets.ForwardOutputs(context.Background(), b, in, n, out); err != nil {
		t.Fatalf("%s: Forward: %v", name, err)
	}
	if e := netstest.RelErr(out.Ownership, rout.Ownership); spec.HasOwnership() && !(e <= netstest.Tolerance) {
		t.Errorf("%s batch %d: ownership relative error %.3g against nets/cpu", name, n, e)
	}
	if e := netstest.RelErr(out.Score, rout.Score); spec.HasScore() && !(e <= netstest.Tolerance) {
		t.Errorf("%s batch %d: score relative error %.3g against nets/cpu (%v, want %v)", name, n, e, out.Score, rout.Score)
	}
	if e := netstest.RelErr(p, rp); !(e <= netstest.Tolerance) {
		t.Errorf("%s batch %d: policy relative error %.3g against nets/cpu", name, n, e)
	}
	if e := netstest.RelErr(v, rv); !(e <= netstest.Tolerance) {
		t.Errorf("%s batch %d: value relative error %.3g against nets/cpu (%v, want %v)", name, n, e, v[:min(n, 4)], rv[:min(n, 4)])
	}
}

// TestSimConcurrent runs Forward from several goroutines at once on two
// streams and checks every result against the naive reference.
func TestSimConcurrent(t *testing.T) {
	d := startSim(t)
	testConcurrent(t, simBackend(d, Options{MaxBatch: 2, Streams: 2}))
	checkReleased(t, d)
}

func testConcurrent(t *testing.T, newBackend func(*nets.Weights) (nets.Backend, error)) {
	rng := rand.New(rand.NewPCG(3, 4))
	spec := netstest.RandomSpec(rng, 9)
	w, err := netstest.RandomWeights(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := netstest.NewNaive(w)
	b, err := newBackend(w)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const workers, rounds = 4, 3
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for g := range workers {
		n := 1 + g // batch sizes 1 to 4
		in := netstest.MixedInputs(rand.New(rand.NewPCG(uint64(g), 9)), spec, n)
		rp, rv := make([]float32, n*spec.Moves()), make([]float32, n)
		if err := ref.Forward(context.Background(), in, n, rp, rv); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				p, v := make([]float32, n*spec.Moves()), make([]float32, n)
				if err := b.Forward(context.Background(), in, n, p, v); err != nil {
					errs <- err
					return
				}
				if e, ev := netstest.RelErr(p, rp), netstest.RelErr(v, rv); !(e <= netstest.Tolerance && ev <= netstest.Tolerance) {
					errs <- fmt.Errorf("goroutine %d round %d: relative errors %.3g (policy), %.3g (value)", g, r, e, ev)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestSimClose checks that Forward fails after Close, Close is
// idempotent, and everything is released.
func TestSimClose(t *testing.T) {
	d := startSim(t)
	rng := rand.New(rand.NewPCG(5, 6))
	spec := netstest.RandomSpec(rng, 5)
	w, _ := netstest.RandomWeights(spec, rng)
	b, err := simBackend(d, Options{})(w)
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := spec.InputShape()
	in := make([]float32, sh.Len())
	p, v := make([]float32, spec.Moves()), make([]float32, 1)
	if err := b.Forward(context.Background(), in, 1, p, v); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := b.Forward(context.Background(), in, 1, p, v); !errors.Is(err, ErrClosed) {
		t.Errorf("Forward after Close = %v; want ErrClosed", err)
	}
	checkReleased(t, d)
}

// TestSimWaitsForStream checks that a Forward waiting for a free stream
// gives up when its context ends.
func TestSimWaitsForStream(t *testing.T) {
	d := startSim(t)
	rng := rand.New(rand.NewPCG(7, 8))
	spec := netstest.RandomSpec(rng, 5)
	w, _ := netstest.RandomWeights(spec, rng)
	be, err := simBackend(d, Options{Streams: 1})(w)
	if err != nil {
		t.Fatal(err)
	}
	b := be.(*Backend)
	defer b.Close()
	l := <-b.lanes // hold the only stream
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	sh, _ := spec.InputShape()
	go func() {
		done <- b.Forward(ctx, make([]float32, sh.Len()), 1, make([]float32, spec.Moves()), make([]float32, 1))
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Forward waiting for a stream = %v; want context.Canceled", err)
	}
	b.lanes <- l
}

// TestNewRejects checks New's argument checks, which run before any
// library is loaded.
func TestNewRejects(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	w, _ := netstest.RandomWeights(nets.DefaultSpec(9), rng)
	for _, o := range []Options{{MaxBatch: -1}, {Device: -1}, {Streams: 17}} {
		if _, err := New(w, o); err == nil || errors.Is(err, ErrUnavailable) {
			t.Errorf("New(%+v) = %v; want an options error", o, err)
		}
	}
	bad := w.Clone()
	bad.Tensors = bad.Tensors[1:]
	if _, err := New(bad, Options{}); err == nil || errors.Is(err, ErrUnavailable) {
		t.Errorf("New(bad weights) = %v; want a weights error", err)
	}
}
