package netstest

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tengen-go/tengen/nets"
)

// Fake is a counting Backend for tests of its users (the batcher, the
// search). Its outputs are [FakeEval] of each position's input, so a test
// can tell whose result a caller received. It records every batch size,
// counts calls that overlap (the Backend contract lets the batcher call it
// from one goroutine at a time only), and can be made to fail, to sleep or
// to wait on a gate. It is safe for concurrent use.
type Fake struct {
	spec  nets.Spec
	inLen int

	active   atomic.Int32
	overlaps atomic.Int64

	mu    sync.Mutex
	sizes []int
	err   error
	delay time.Duration
	gate  <-chan struct{}
}

var _ nets.HeadsBackend = (*Fake)(nil)

// NewFake returns a Fake for spec, which must be valid.
func NewFake(spec nets.Spec) *Fake {
	sh, err := spec.InputShape()
	if err != nil {
		panic(fmt.Sprintf("netstest: NewFake: %v", err))
	}
	return &Fake{spec: spec, inLen: sh.Len()}
}

// Spec returns the spec given to NewFake.
func (f *Fake) Spec() nets.Spec { return f.spec }

// Close does nothing.
func (f *Fake) Close() error { return nil }

// SetError makes every later Forward fail with err (nil: succeed again).
// The batch is still recorded.
func (f *Fake) SetError(err error) { f.mu.Lock(); f.err = err; f.mu.Unlock() }

// SetDelay makes every later Forward sleep d (or until its context ends)
// before computing.
func (f *Fake) SetDelay(d time.Duration) { f.mu.Lock(); f.delay = d; f.mu.Unlock() }

// SetGate makes every later Forward wait for a value from gate (or the end
// of its context) before computing; nil removes the gate.
func (f *Fake) SetGate(gate <-chan struct{}) { f.mu.Lock(); f.gate = gate; f.mu.Unlock() }

// BatchSizes returns the size of every batch Forward was called with, in
// order.
func (f *Fake) BatchSizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.sizes...)
}

// Positions returns the number of positions evaluated so far.
func (f *Fake) Positions() int {
	n := 0
	for _, s := range f.BatchSizes() {
		n += s
	}
	return n
}

// Overlaps returns how many Forward calls started while another was
// running.
func (f *Fake) Overlaps() int { return int(f.overlaps.Load()) }

// Forward records the batch, honours the injected delay, gate and error,
// checks ctx and the buffer sizes, and writes FakeEval of each position.
func (f *Fake) Forward(ctx context.Context, in []float32, n int, policy, value []float32) error {
	return f.ForwardOutputs(ctx, in, n, nets.Outputs{Policy: policy, Value: value})
}

// ForwardOutputs is Forward with the ownership and score outputs of
// FakeEvalOutputs, for a spec with those heads.
func (f *Fake) ForwardOutputs(ctx context.Context, in []float32, n int, out nets.Outputs) error {
	policy, value := out.Policy, out.Value
	if f.active.Add(1) > 1 {
		f.overlaps.Add(1)
	}
	defer f.active.Add(-1)
	f.mu.Lock()
	f.sizes = append(f.sizes, n)
	err, delay, gate := f.err, f.delay, f.gate
	f.mu.Unlock()
	moves := f.spec.Moves()
	switch {
	case n < 0 || len(in) < n*f.inLen || len(policy) < n*moves || len(value) < n:
		return fmt.Errorf("netstest: fake: bad buffers for batch %d: %d, %d, %d values", n, len(in), len(policy), len(value))
	case f.spec.CheckOutputs(n, out) != nil:
		return fmt.Errorf("netstest: fake: %w", f.spec.CheckOutputs(n, out))
	case ctx.Err() != nil:
		return ctx.Err()
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err != nil {
		return err
	}
	area := f.spec.Area()
	for i := range n {
		o := nets.Outputs{Policy: policy[i*moves : (i+1)*moves], Value: value[i : i+1]}
		if out.Ownership != nil {
			o.Ownership = out.Ownership[i*area : (i+1)*area]
		}
		if out.Score != nil {
			o.Score = out.Score[i : i+1]
		}
		FakeEvalOutputs(f.spec, in[i*f.inLen:(i+1)*f.inLen], o)
	}
	return nil
}

// FakeEvalOutputs is FakeEval with the optional outputs: with h as there,
// Ownership[j] = tanh(h/1000 + j/100) and Score[0] = h/100, where out
// has them.
func FakeEvalOutputs(spec nets.Spec, in []float32, out nets.Outputs) {
	FakeEval(spec, in, out.Policy, out.Value)
	var h float64
	for k, v := range in {
		h += float64(v) * float64(k%7+1)
	}
	for j := range out.Ownership {
		out.Ownership[j] = float32(math.Tanh(h/1000 + float64(j)/100))
	}
	if out.Score != nil {
		out.Score[0] = float32(h / 100)
	}
}

// FakeEval writes the Fake's outputs for one position: with h the sum of
// in[k]*(k%7+1) (computed in float64), policy[j] = float32(h) + j/1024 for
// j < spec.Moves() and value[0] = tanh(h/1000). Distinct random inputs
// give distinct outputs.
func FakeEval(spec nets.Spec, in []float32, policy, value []float32) {
	var h float64
	for k, v := range in {
		h += float64(v) * float64(k%7+1)
	}
	for j := range spec.Moves() {
		policy[j] = float32(h) + float32(j)/1024
	}
	value[0] = float32(math.Tanh(h / 1000))
}
