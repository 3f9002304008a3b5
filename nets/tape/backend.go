package tape

import (
	"context"
	"errors"
	"fmt"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tengen-go/tengen/nets"
)

// Backend is the gorgonia reference implementation of nets.Backend: the
// inference graph of a network run on a TapeMachine. It is safe for
// concurrent use, but runs one Forward at a time.
type Backend struct {
	// Fixed at construction.
	w        *nets.Weights // a private copy
	maxBatch int
	inLen    int

	// Guarded by mu.
	mu     sync.Mutex
	graphs map[int]*inferGraph // by padded batch size
	closed bool
}

type inferGraph struct {
	ng *netGraph
	vm G.VM
}

var _ nets.HeadsBackend = (*Backend)(nil)

// ErrClosed is returned by Forward after Close.
var ErrClosed = errors.New("tape: backend closed")

// New returns a backend for the network w that evaluates up to maxBatch
// positions per Forward call. It keeps a copy of w. Graphs are built on
// first use, one per batch size rounded up to a power of two (capped at
// maxBatch), so a backend holds at most log2(maxBatch)+1 graphs; smaller
// batches are padded with zeros.
func New(w *nets.Weights, maxBatch int) (*Backend, error) {
	if maxBatch < 1 {
		return nil, fmt.Errorf("tape: maxBatch %d < 1", maxBatch)
	}
	if err := w.Check(); err != nil {
		return nil, err
	}
	in, err := w.Spec.InputShape()
	if err != nil {
		return nil, err
	}
	return &Backend{w: w.Clone(), maxBatch: maxBatch, inLen: in.Len(), graphs: map[int]*inferGraph{}}, nil
}

// Spec returns the network's spec.
func (b *Backend) Spec() nets.Spec { return b.w.Spec }

// bucket returns the graph batch size for n positions.
func (b *Backend) bucket(n int) int {
	p := 1
	for p < n {
		p *= 2
	}
	return min(p, b.maxBatch)
}

// Forward implements nets.Backend. Preconditions: 1 <= n <= maxBatch,
// len(in) >= n*InputShape().Len(), len(policy) >= n*Moves(),
// len(value) >= n.
func (b *Backend) Forward(ctx context.Context, in []float32, n int, policy, value []float32) error {
	return b.ForwardOutputs(ctx, in, n, nets.Outputs{Policy: policy, Value: value})
}

// ForwardOutputs implements nets.HeadsBackend.
func (b *Backend) ForwardOutputs(ctx context.Context, in []float32, n int, out nets.Outputs) error {
	moves := b.w.Spec.Moves()
	policy, value := out.Policy, out.Value
	switch {
	case n < 1 || n > b.maxBatch:
		return fmt.Errorf("tape: batch of %d outside [1, %d]", n, b.maxBatch)
	case len(in) < n*b.inLen || len(policy) < n*moves || len(value) < n:
		return fmt.Errorf("tape: buffers too short for %d positions (in %d, policy %d, value %d)", n, len(in), len(policy), len(value))
	}
	if err := b.w.Spec.CheckOutputs(n, out); err != nil {
		return fmt.Errorf("tape: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	size := b.bucket(n)
	ig := b.graphs[size]
	if ig == nil {
		ng, err := buildGraph(b.w, graphOpts{batch: size, dt: tensor.Float32})
		if err != nil {
			return err
		}
		ig = &inferGraph{ng: ng, vm: G.NewTapeMachine(ng.g)}
		b.graphs[size] = ig
	}
	data := ig.ng.input.Value().Data().([]float32)
	copy(data, in[:n*b.inLen])
	clear(data[n*b.inLen:])
	defer ig.vm.Reset()
	if err := ig.vm.RunAll(); err != nil {
		return fmt.Errorf("tape: forward: %w", err)
	}
	copy(policy[:n*moves], ig.ng.policy.Value().Data().([]float32))
	copy(value[:n], ig.ng.value.Value().Data().([]float32))
	if out.Ownership != nil {
		area := b.w.Spec.Area()
		copy(out.Ownership[:n*area], ig.ng.own.Value().Data().([]float32))
	}
	if out.Score != nil {
		copy(out.Score[:n], ig.ng.score.Value().Data().([]float32))
	}
	return nil
}

// Close releases the graphs. Forward fails with ErrClosed afterwards.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var err error
	for _, ig := range b.graphs {
		err = errors.Join(err, ig.vm.Close())
	}
	b.graphs = nil
	b.closed = true
	return err
}

// BLAS names the BLAS the package's graphs use: "gonum" (pure Go, the
// default build) or "openblas" (the openblas build tag).
func BLAS() string { return blasName }
