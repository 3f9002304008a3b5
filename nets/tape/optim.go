package tape

import "github.com/tengen-go/tengen/nets/internal/optim"

// Optimizer names for TrainOptions.Optimizer (package nets/internal/optim
// holds the update rules, shared with nets/fasttrain).
const (
	SGD  = optim.SGD  // stochastic gradient descent with momentum
	Adam = optim.Adam // Adam (Kingma and Ba), with bias correction
)

// TrainerState is the optimizer's state and the dropout generator, which
// with the weights let a new Trainer continue a run exactly. The learning
// rate is not part of it: schedules set it per step. Both trainers
// (nets/tape and nets/fasttrain) read and write it.
type TrainerState = optim.State

// Slots is the optimizer state of one trainable parameter: SGD's velocity,
// or Adam's first and second moments.
type Slots = optim.Slots

// ErrState is wrapped by SetState's errors.
var ErrState = optim.ErrState

// OptimConfig is the optimizer part of the options, for optim.New (both
// trainers build their optimizer from it).
func (o TrainOptions) OptimConfig() optim.Config {
	return optim.Config{Optimizer: o.Optimizer, Momentum: o.Momentum, Beta1: o.Beta1, Beta2: o.Beta2, Epsilon: o.Epsilon}
}

// newOptimizer returns o's optimizer for parameters of the given sizes.
func newOptimizer(o TrainOptions, sizes []int) (optim.Optimizer, error) {
	return optim.New(o.OptimConfig(), sizes)
}
