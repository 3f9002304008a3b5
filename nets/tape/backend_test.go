package tape

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
)

// randomWeights returns weights for spec with non-trivial biases and batch
// norm statistics.
func randomWeights(t testing.TB, spec nets.Spec, seed uint64) *nets.Weights {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	w, err := nets.NewWeights(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	for i := range w.Tensors {
		tn := &w.Tensors[i]
		switch {
		case strings.HasSuffix(tn.Name, ".b"), strings.HasSuffix(tn.Name, ".beta"), strings.HasSuffix(tn.Name, ".mean"):
			for j := range tn.Data {
				tn.Data[j] = float32(rng.NormFloat64() * 0.3)
			}
		case strings.HasSuffix(tn.Name, ".gamma"), strings.HasSuffix(tn.Name, ".var"):
			for j := range tn.Data {
				tn.Data[j] = float32(0.5 + rng.Float64())
			}
		}
	}
	return w
}

// randomInput returns n positions of normal noise (negative values
// included, so that -inf pooling padding matters).
func randomInput(spec nets.Spec, n int, rng *rand.Rand) []float32 {
	sh, _ := spec.InputShape()
	in := make([]float32, n*sh.Len())
	for i := range in {
		in[i] = float32(rng.NormFloat64())
	}
	return in
}

func TestBLAS(t *testing.T) {
	want := map[bool]string{true: "openblas", false: "gonum"}[openblasTag]
	if BLAS() != want {
		t.Errorf("BLAS() = %q; want %q", BLAS(), want)
	}
}

func closeTo(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(1, math.Abs(want))
}

func TestForwardMatchesNaive(t *testing.T) {
	for name, spec := range netstest.TinySpecs() {
		t.Run(name, func(t *testing.T) {
			w := randomWeights(t, spec, 1)
			be, err := New(w, 4)
			if err != nil {
				t.Fatal(err)
			}
			defer be.Close()
			rng := rand.New(rand.NewPCG(2, 2))
			for _, n := range []int{1, 3, 4} { // 3 is padded to 4
				in := randomInput(spec, n, rng)
				policy := make([]float32, n*spec.Moves())
				value := make([]float32, n)
				out := nets.Outputs{Policy: policy, Value: value}
				if spec.HasOwnership() {
					out.Ownership = make([]float32, n*spec.Area())
				}
				if spec.HasScore() {
					out.Score = make([]float32, n)
				}
				if err := be.ForwardOutputs(context.Background(), in, n, out); err != nil {
					t.Fatal(err)
				}
				wantP, wantV, wantO, wantS := naiveForwardHeads(w, in, n)
				if len(wantO) != len(out.Ownership) || len(wantS) != len(out.Score) {
					t.Fatalf("ownership %d and score %d values; want %d and %d", len(out.Ownership), len(out.Score), len(wantO), len(wantS))
				}
				for i := range wantO {
					if !closeTo(float64(out.Ownership[i]), wantO[i], 1e-4) {
						t.Fatalf("n=%d: ownership[%d] = %v; want %v", n, i, out.Ownership[i], wantO[i])
					}
				}
				for i := range wantS {
					if !closeTo(float64(out.Score[i]), wantS[i], 1e-4) {
						t.Fatalf("n=%d: score[%d] = %v; want %v", n, i, out.Score[i], wantS[i])
					}
				}
				for i := range wantP {
					if !closeTo(float64(policy[i]), wantP[i], 1e-4) {
						t.Fatalf("n=%d: policy[%d] = %v; want %v", n, i, policy[i], wantP[i])
					}
				}
				for i := range wantV {
					if !closeTo(float64(value[i]), wantV[i], 1e-4) {
						t.Fatalf("n=%d: value[%d] = %v; want %v", n, i, value[i], wantV[i])
					}
				}
			}
		})
	}
}

func TestForwardDefaultSpec(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("short or race")
	}
	spec := nets.DefaultSpec(9)
	w := randomWeights(t, spec, 3)
	be, err := New(w, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	in := randomInput(spec, 2, rand.New(rand.NewPCG(4, 4)))
	policy, value := make([]float32, 2*spec.Moves()), make([]float32, 2)
	if err := be.Forward(context.Background(), in, 2, policy, value); err != nil {
		t.Fatal(err)
	}
	wantP, wantV := naiveForward(w, in, 2)
	for i := range wantP {
		if !closeTo(float64(policy[i]), wantP[i], 1e-4) {
			t.Fatalf("policy[%d] = %v; want %v", i, policy[i], wantP[i])
		}
	}
	for i := range wantV {
		if !closeTo(float64(value[i]), wantV[i], 1e-4) {
			t.Fatalf("value[%d] = %v; want %v", i, value[i], wantV[i])
		}
	}
}

func TestForwardErrors(t *testing.T) {
	spec := netstest.TinySpecs()["densehead"]
	be, err := New(randomWeights(t, spec, 1), 2)
	if err != nil {
		t.Fatal(err)
	}
	in := randomInput(spec, 2, rand.New(rand.NewPCG(1, 1)))
	p, v := make([]float32, 2*spec.Moves()), make([]float32, 2)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		n    int
		in   []float32
		p, v []float32
	}{
		{"zero", 0, in, p, v},
		{"too many", 3, in, p, v},
		{"short input", 2, in[:len(in)-1], p, v},
		{"short policy", 2, in, p[:1], v},
		{"short value", 2, in, p, v[:1]},
	} {
		if err := be.Forward(ctx, tc.in, tc.n, tc.p, tc.v); err == nil {
			t.Errorf("%s: Forward succeeded", tc.name)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := be.Forward(cctx, in, 1, p, v); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	if err := be.Close(); err != nil {
		t.Fatal(err)
	}
	if err := be.Forward(ctx, in, 1, p, v); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: err = %v", err)
	}
	if _, err := New(randomWeights(t, spec, 1), 0); err == nil {
		t.Error("New with maxBatch 0 succeeded")
	}
	bad := randomWeights(t, spec, 1)
	bad.Tensors = bad.Tensors[1:]
	if _, err := New(bad, 1); err == nil {
		t.Error("New with missing tensor succeeded")
	}
}

// TestForwardConcurrent calls one backend from several goroutines (the
// race detector checks the locking) and checks every result.
func TestForwardConcurrent(t *testing.T) {
	spec := netstest.TinySpecs()["convhead"]
	w := randomWeights(t, spec, 5)
	be, err := New(w, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	in := randomInput(spec, 2, rand.New(rand.NewPCG(5, 5)))
	wantP, _ := naiveForward(w, in, 2)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 1 + g%2
			p, v := make([]float32, n*spec.Moves()), make([]float32, n)
			for range 3 {
				if err := be.Forward(context.Background(), in, n, p, v); err != nil {
					errs <- err
					return
				}
				for i := range p {
					if !closeTo(float64(p[i]), wantP[i], 1e-4) {
						errs <- errors.New("wrong policy under concurrency")
						return
					}
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
