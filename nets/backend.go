package nets

import "context"

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
