// Package cpu is tengen's fast CPU inference backend: a [nets.Backend]
// that runs a network's forward pass with preallocated buffers, GEMM-based
// convolutions and tight loops for the rest, spread across cores.
//
// How it computes (activations are kept channel-major across the batch,
// C x (N*H*W), so that one GEMM covers every position of a batch):
//
//   - Convolutions: batch norm is folded into the convolution before it
//     when the weights are loaded, and a following ReLU or tanh is fused
//     into the bias pass. 1x1 convolutions are one GEMM on the activations;
//     3x3 ones use Winograd F(2x2, 3x3) (as Leela Zero's CPU path does:
//     weights transformed once at load, input and output transforms around
//     16 GEMMs, 2.25x fewer multiplications) or im2col + GEMM, whichever
//     [Options.Conv3x3] picks; other kernel sizes use im2col + GEMM.
//   - LRN, max-pooling, ReLU and tanh are plain loops; dense layers are
//     GEMMs; dropout is the identity.
//
// Work is split across [Options.Threads] goroutines by columns (pixels or
// Winograd tiles) for convolutions and element-wise layers and by
// positions or outputs elsewhere; every layer ends at a barrier. The
// worker goroutines start on the first multi-threaded Forward and stop in
// Close. In steady state Forward does not allocate.
//
// The GEMM is a package variable: gonum's pure-Go Sgemm by default, or
// OpenBLAS's cblas_sgemm when built with the openblas tag (cgo,
// libopenblas-dev).
package cpu
