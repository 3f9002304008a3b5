package nets

import (
	"context"
	"fmt"
)

// Backend evaluates a network on batches of encoded positions. It is the
// one seam between the network and its users (the batcher, evaluation,
// self-play); the gorgonia reference, the fast CPU path and GPU backends
// implement it.
//
// A Backend is not safe for concurrent use unless it says so: the Batcher
// serialises calls.
type Backend interface {
	// Spec returns the network's spec.
	Spec() Spec
	// Forward evaluates n positions. in holds n encoded positions of
	// Spec().InputShape() each, one after another (NCHW). policy receives
	// n*Spec().Moves() logits (points row-major from the top left, then
	// pass), value n values in [-1, 1] from the view of the side to move.
	// Every output value is written. Buffers are the caller's; the backend
	// keeps no reference to them after returning.
	Forward(ctx context.Context, in []float32, n int, policy, value []float32) error
	// Close releases the backend's resources.
	Close() error
}

// Outputs are the caller's buffers for one batch of n positions. Policy
// and Value are as in Backend.Forward. Ownership, if not nil, receives
// n*Spec().Area() values in [-1, 1] (per position the points row-major
// from the top left, in the frame of the encoded input, like the policy;
// +1: the side to move will own the point) and Score, if not nil, n final
// score margins for the side to move in points. Asking for a head the
// network does not have is an error; leaving a buffer nil skips it.
type Outputs struct {
	Policy, Value []float32
	Ownership     []float32
	Score         []float32
}

// HeadsBackend is a Backend that computes the optional ownership and score
// heads too. Every backend of this module implements it; Forward(ctx, in,
// n, p, v) means ForwardOutputs(ctx, in, n, Outputs{Policy: p, Value: v}).
type HeadsBackend interface {
	Backend
	// ForwardOutputs is Forward with the optional outputs; see Outputs.
	ForwardOutputs(ctx context.Context, in []float32, n int, out Outputs) error
}

// ForwardOutputs evaluates n positions on b with every output out asks
// for: through b.ForwardOutputs when b is a HeadsBackend, else through
// Forward, failing when out asks for ownership or score.
func ForwardOutputs(ctx context.Context, b Backend, in []float32, n int, out Outputs) error {
	if hb, ok := b.(HeadsBackend); ok {
		return hb.ForwardOutputs(ctx, in, n, out)
	}
	if out.Ownership != nil || out.Score != nil {
		return fmt.Errorf("nets: backend %T computes no ownership or score", b)
	}
	return b.Forward(ctx, in, n, out.Policy, out.Value)
}

// CheckOutputs reports an Outputs that does not fit n positions of spec:
// a buffer too short, or a head asked for that spec does not have. Backends
// call it first in ForwardOutputs.
func (s Spec) CheckOutputs(n int, out Outputs) error {
	switch {
	case n < 0:
		return fmt.Errorf("nets: negative batch size %d", n)
	case len(out.Policy) < n*s.Moves() || len(out.Value) < n:
		return fmt.Errorf("nets: buffers too short for %d positions: policy %d (want %d), value %d", n, len(out.Policy), n*s.Moves(), len(out.Value))
	case out.Ownership != nil && !s.HasOwnership():
		return fmt.Errorf("nets: ownership asked of a network without an ownership head")
	case out.Score != nil && !s.HasScore():
		return fmt.Errorf("nets: score asked of a network without a score head")
	case out.Ownership != nil && len(out.Ownership) < n*s.Area():
		return fmt.Errorf("nets: ownership buffer has %d values, want %d", len(out.Ownership), n*s.Area())
	case out.Score != nil && len(out.Score) < n:
		return fmt.Errorf("nets: score buffer has %d values, want %d", len(out.Score), n)
	}
	return nil
}
