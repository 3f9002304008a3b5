// Package tape is tengen's reference network backend and its training
// graph, built on gorgonia (gorgonia.org/gorgonia) and run on a
// TapeMachine.
//
// One builder turns a nets.Spec into a gorgonia expression graph for a fixed
// batch size, in one of two modes. Inference graphs ([New], a nets.Backend)
// use batch norm running statistics and skip dropout. Training graphs
// ([NewTrainer]) use batch statistics, multiply by dropout masks drawn from
// the trainer's seeded generator, and add the loss: mean policy
// cross-entropy against target distributions, a masked mean squared value
// error times a weight, for networks with those heads a masked mean squared
// ownership error (averaged over the points) and a masked Huber loss of
// the score error over [ScoreScale] points, each times its weight, and an
// L2 penalty on the weights ([Loss], [Batch]).
//
// Layer semantics follow nets/doc.go exactly. LRN is built from primitives
// (a square, a 1x1 convolution with a constant banded filter for the
// channel window sum, a power); max pooling is gorgonia's MaxPool2D, whose
// padding acts as -inf; a pooled value head's maxima are a MaxPool2D over
// the whole map and its means a Mean along one axis of a (batch, C, H*W)
// view (gorgonia's Mean along two axes of the 4-d map mixes up channels);
// the score loss's Huber is built from Abs; dense weights are held
// transposed inside graphs.
//
// The optimizers (SGD with momentum, Adam) are implemented here over the
// gradients gorgonia computes, rather than gorgonia's solvers, because the
// solvers keep their state unexported (a checkpoint could not resume them
// exactly) and gorgonia's Momentum applies L2 to the velocity rather than
// the weights. Tests check the optimizers against gorgonia's solvers.
//
// Gorgonia builds graphs through package-level state that is not safe for
// concurrent use, so graph construction is serialised by a package mutex;
// each graph runs on one goroutine at a time. A TapeMachine allocates a
// lot (about 200 MB for a 19x19 batch of 32), so a Backend keeps at most
// one graph per power-of-two batch size.
//
// With the openblas build tag (cgo, libopenblas-dev), gorgonia's matrix
// products use OpenBLAS; the default build is pure Go.
package tape
