// Package cpu is tengen's fast CPU inference backend: a [nets.Backend]
// that runs a network's forward pass with preallocated buffers, GEMM-based
// convolutions and tight loops for the rest, spread across cores.
//
// How it computes (activations are kept channel-major across the
// positions of a chunk, C x (N*H*W), so that one GEMM covers them all):
//
//   - Convolutions: batch norm is folded into the convolution before it
//     when the weights are loaded, and a following ReLU or tanh is fused
//     into the bias pass. 1x1 convolutions are one GEMM on the activations;
//     3x3 ones use Winograd F(2x2, 3x3) (as Leela Zero's CPU path does:
//     weights transformed once at load, input and output transforms around
//     16 GEMMs, 2.25x fewer multiplications) or im2col + GEMM, whichever
//     [Options.Conv3x3] picks ([ConvAuto]: Winograd on layers of 32 or more
//     channels, where it measured 1.2x to 1.5x faster); other kernel sizes
//     use im2col + GEMM.
//   - LRN, max pooling, ReLU and tanh are plain loops; the policy head's
//     dense layer is a GEMM; the value head's hidden layer accumulates in
//     float64 (values near 0 are small differences of large terms);
//     dropout is the identity.
//   - On CPUs with AVX-512 the Winograd input and output transforms, LRN,
//     3x3 stride-1 max pooling and the value head's float64 dot products
//     run as assembly kernels (simd_amd64.s). Each is tested against the
//     Go loop it replaces: the transforms, LRN (d^0.75 still in float64)
//     and pooling of finite values give the same bits, the dot products
//     the same float64 sum up to its last bits.
//
// A batch runs through the whole network in chunks of positions small
// enough for a chunk's activations to stay in cache between layers. Within
// a layer, work is split across [Options.Threads] goroutines by columns
// (pixels or Winograd tiles) for convolutions and element-wise layers and
// by planes, positions or outputs elsewhere; every layer ends at a
// barrier. The worker goroutines start on the first multi-threaded
// Forward and stop in Close. In steady state Forward does not allocate.
//
// The GEMM is chosen in one place (gemmImpl): nets/internal/sgemm
// (pure Go with AVX-512 or AVX2 assembly kernels, one goroutine per call)
// by default, or OpenBLAS's cblas_sgemm with the openblas build tag (cgo,
// libopenblas-dev). [MeasureSgemm] times it alone for benchmark reports.
package cpu
