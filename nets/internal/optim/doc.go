// Package optim holds the optimizers of both trainers, nets/tape (on
// gorgonia) and nets/fasttrain (hand-written backward pass): SGD with
// heavy-ball momentum and Adam with bias correction, the update rules of
// gorgonia's Momentum and AdamSolver operation for operation in float32,
// so the two trainers take the same steps. It also holds their common
// checkpoint form, [State]: the optimizer's slots per parameter, its step
// count and the trainer's dropout generator, so a run can move between
// the trainers.
package optim
