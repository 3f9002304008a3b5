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

var _ nets.Backend = (*Fake)(nil)

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
	for i := range n {
		FakeEval(f.spec, in[i*f.inLen:(i+1)*f.inLen], policy[i*moves:(i+1)*moves], value[i:i+1])
	}
	return nil
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
