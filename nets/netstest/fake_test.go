package netstest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tengen-go/tengen/nets"
)

func TestFake(t *testing.T) {
	spec := nets.DefaultSpec(9)
	f := NewFake(spec)
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 3
	in := MixedInputs(rng, spec, n)
	moves, inLen := spec.Moves(), len(in)/n
	policy, value := poisoned(n*moves), poisoned(n)
	if err := f.Forward(context.Background(), in, n, policy, value); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		p, v := poisoned(moves), poisoned(1)
		FakeEval(spec, in[i*inLen:(i+1)*inLen], p, v)
		for j := range p {
			if p[j] != policy[i*moves+j] {
				t.Fatalf("position %d: policy[%d] = %v; FakeEval %v", i, j, policy[i*moves+j], p[j])
			}
		}
		if v[0] != value[i] || v[0] < -1 || v[0] > 1 {
			t.Fatalf("position %d: value %v; FakeEval %v", i, value[i], v[0])
		}
		if i > 0 && policy[i*moves] == policy[(i-1)*moves] {
			t.Fatalf("positions %d and %d have the same outputs", i-1, i)
		}
	}
	boom := errors.New("boom")
	f.SetError(boom)
	if err := f.Forward(context.Background(), in, n, policy, value); !errors.Is(err, boom) {
		t.Fatalf("Forward with injected error = %v", err)
	}
	f.SetError(nil)
	f.SetDelay(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := f.Forward(ctx, in, 1, policy, value); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Forward with delay and deadline = %v", err)
	}
	f.SetDelay(0)
	if got, want := fmt.Sprint(f.BatchSizes()), "[3 3 1]"; got != want {
		t.Errorf("BatchSizes = %s; want %s", got, want)
	}
	if f.Positions() != 7 || f.Overlaps() != 0 {
		t.Errorf("Positions %d Overlaps %d; want 7, 0", f.Positions(), f.Overlaps())
	}
	CheckErrors(t, f)
}

func TestFakeGateAndOverlap(t *testing.T) {
	spec := nets.DefaultSpec(5)
	f := NewFake(spec)
	gate := make(chan struct{})
	f.SetGate(gate)
	in := make([]float32, nets.NumPlanesV1*25)
	done := make(chan error, 2)
	for range 2 {
		go func() { done <- f.Forward(context.Background(), in, 1, make([]float32, 26), make([]float32, 1)) }()
	}
	for len(f.BatchSizes()) < 2 {
		time.Sleep(time.Millisecond)
	}
	gate <- struct{}{}
	gate <- struct{}{}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if f.Overlaps() != 1 {
		t.Errorf("Overlaps = %d; want 1", f.Overlaps())
	}
}

// recorder is a reporter that remembers failures; Fatalf panics.
type recorder struct{ msgs []string }

type fatal struct{}

func (r *recorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(fatal{})
}

// mutant wraps a backend and damages its outputs.
type mutant struct {
	nets.Backend
	damage func(policy, value []float32, n int)
}

func (m mutant) Forward(ctx context.Context, in []float32, n int, policy, value []float32) error {
	err := m.Backend.Forward(ctx, in, n, policy, value)
	m.damage(policy, value, n)
	return err
}

// TestConformanceCatchesMutants: the suite fails backends that are
// slightly wrong, leave a value unwritten or return out-of-range values.
func TestConformanceCatchesMutants(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	spec := randomSpec(rng, 5, "conv", false)
	mutants := map[string]func(policy, value []float32, n int){
		"policy off by 1e-3": func(p, v []float32, n int) {
			for i := range p {
				p[i] *= 1.001
			}
		},
		"last value not written": func(p, v []float32, n int) { v[n-1] = float32(nanValue()) },
		"value out of range":     func(p, v []float32, n int) { v[0] = 1.5 },
		"pass logit damaged":     func(p, v []float32, n int) { p[spec.Moves()-1] += 0.5 },
	}
	for name, damage := range mutants {
		t.Run(name, func(t *testing.T) {
			r := &recorder{}
			func() {
				defer func() {
					if x := recover(); x != nil {
						if _, ok := x.(fatal); !ok {
							panic(x)
						}
					}
				}()
				conformOne(r, spec, 1, Tolerance, func(w *nets.Weights) (nets.Backend, error) {
					b, err := NewNaive(w)
					return mutant{b, damage}, err
				}, newNaive)
			}()
			if len(r.msgs) == 0 {
				t.Errorf("the suite passed a backend with %s", name)
			}
		})
	}
}
