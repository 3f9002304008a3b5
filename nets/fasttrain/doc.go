// Package fasttrain is tengen's fast CPU training path: the forward pass,
// backward pass and optimizer of a [nets.Spec] network written by hand
// over GEMMs (nets/internal/sgemm), for the same training step as the
// gorgonia graph in nets/tape at many times its speed.
//
// [Trainer] has nets/tape.Trainer's methods and meaning: the same
// [tape.TrainOptions], [tape.Loss] (mean policy cross-entropy against
// target distributions, masked mean squared value error times
// ValueWeight, the ownership and score heads' masked losses times
// OwnershipWeight and ScoreWeight, WeightDecay times the sum of squared
// ".w" tensors; [Trainer.StepBatch] takes a [tape.Batch]), the
// same SGD-with-momentum and Adam updates, the same dropout masks (drawn
// from the same seeded generator in the same order), batch norm with
// batch statistics and the same running-statistics convention, and
// checkpoint state in [tape.TrainerState] form, so a run can move between
// the two trainers. Tests check the loss, the gradients and the updated
// weights against nets/tape and against finite differences.
//
// How it computes (activations are channel-major across the batch,
// C x (N*H*W), as in nets/cpu, and every layer's output is kept for the
// backward pass):
//
//   - Convolutions: im2col + GEMM forward (a ReLU right after a
//     convolution is fused into its bias pass); backward recomputes the
//     lowering per block and runs two GEMMs, dW += dY * col^T and
//     dcol = W^T * dY, then col2im. Workers own whole positions, so
//     col2im needs no locks; partial dW are kept per group of positions
//     (a split of the batch that does not depend on the thread count)
//     and a second phase sums them in order. 1x1 convolutions read the
//     activations in place.
//   - LRN keeps its denominators for the exact derivative; max pooling
//     records the winning pixel of each window and routes the gradient
//     there; batch norm works per channel; dropout multiplies by the
//     step's mask; ReLU and tanh use their outputs.
//   - The heads' dense layers are GEMMs on the caller's goroutine with a
//     threaded sgemm.Context; the loss is computed in float64. A pooled
//     value head keeps the winner of each channel's maximum and sends the
//     maximum's gradient there and the mean's to every point; the score
//     head's gradient joins the value head's on the pooled features; the
//     ownership head is two 1x1 convolution layers and a tanh.
//
// Work is split across [Options.Threads] goroutines; each layer ends at a
// barrier. Worker goroutines start on the first Step and stop in Close.
// Every buffer is allocated in New for the batch size; Step does not
// allocate in steady state. Results do not depend on the number of
// threads: the same weights, state and batches give the same weights bit
// for bit (TestResumeExact).
package fasttrain
