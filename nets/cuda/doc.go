// Package cuda is tengen's GPU backend: a [nets.Backend] that runs a
// network's forward pass on an NVIDIA GPU from the ordinary pure-Go
// binary (CGO_ENABLED=0). It loads the NVIDIA libraries when a backend
// starts, through github.com/ebitengine/purego: the driver (libcuda.so.1:
// primary context, memory, streams, modules, kernel launches), cuBLAS
// (libcublas.so.13, else .12: the GEMMs) and NVRTC (libnvrtc.so.13, else
// .12), which compiles the package's own kernels (kernels.cu, embedded in
// the binary) for the device: a cubin for its architecture (sm_XY), or
// PTX (compute_XY) for the driver to compile when that fails.
//
// # Build
//
// The code that loads the libraries is part of the default build on
// linux/amd64 and linux/arm64, still with CGO_ENABLED=0: purego makes the
// binary dynamically linked against the C library (it needs the system's
// dynamic loader to open libcuda), so the binary needs glibc at run time
// (deploy/Containerfile uses a distroless base image that has it). The
// tengen_nocuda build tag leaves the loading code out for a fully static
// binary:
//
//	CGO_ENABLED=0 go build -tags tengen_nocuda ./cmd/tengen
//
// In such a build, and on other systems, everything else still builds and
// its tests run, and New fails with an error matching [ErrUnavailable]
// that says why.
//
// # Libraries
//
// Each library is looked for, newest major version first, by the
// dynamic loader (LD_LIBRARY_PATH, ld.so.cache), then in the directories
// NVIDIA's packages use (/usr/lib/x86_64-linux-gnu, /usr/local/cuda/lib64,
// ...), then in [Options.LibDirs] (tengen's --cuda-lib-dir) and in the
// colon-separated directories of TENGEN_CUDA_LIB_DIR. A directory may be
// a virtual environment, a site-packages folder or its nvidia folder
// where pip installed NVIDIA's CUDA wheels (nvidia-cublas,
// nvidia-cuda-nvrtc): their nvidia/*/lib folders are searched. A missing
// library, no driver or no device gives an error matching
// [ErrUnavailable] that names the library and where it looked.
//
// # How it computes
//
// Like nets/cpu, whose results it reproduces to the conformance
// tolerance: activations are channel-major over the batch, C x (N*H*W),
// so that one GEMM covers a layer for the whole batch. Batch norm is
// folded into the convolution before it when the weights are uploaded
// (once, in New); a following ReLU or tanh is fused into the bias kernel.
// A k x k convolution (k > 1) is im2col and a cuBLAS SGEMM, in column
// blocks of at most 64 MiB of im2col buffer; a 1x1 convolution is one
// SGEMM. LRN, max pooling, activations and the input transposition are
// kernels with one thread per output value. The heads: one 1x1
// convolution for all heads' channels; a pooled value head's means and
// maxima are a kernel; the value head's hidden layer is a cuBLAS DGEMM
// (nets/cpu sums it in float64 too), then a kernel for the output layer
// and tanh; the score head is another DGEMM on the same features and a
// kernel; the ownership head's output convolution and tanh are a kernel;
// the "conv" policy head is a kernel for the points and an SGEMM for the
// pass logit; the "dense" one is an SGEMM.
// cuBLAS runs in its default math mode: float32, no TF32.
//
// cuBLAS is column-major and the backend's matrices are row-major: a
// row-major m x n matrix is, read column-major, its n x m transpose, so
// row-major C = op(A) op(B) is computed as column-major C^T = op(B)^T
// op(A)^T: the operands swap (with their transpose flags and strides) and
// so do m and n (see gemm.colMajor, tested against a reference of
// cuBLAS's semantics).
//
// # Concurrency
//
// A Backend has Options.Streams lanes (default 2), each a CUDA stream
// with its own cuBLAS handle, page-locked host buffers for the input and
// outputs, and device buffers, sized for Options.MaxBatch positions and
// grown when a larger batch comes. Forward takes a free lane, copies the
// input in, enqueues the whole network and waits; two Forward calls at
// once use two lanes, so one batch's copies and kernels overlap the
// other's. Forward is safe for concurrent use; Close waits for the
// running calls and frees everything.
//
// # Tests
//
// Without a GPU the tests check everything but the GPU itself: the
// library search (order, wheel folders, the environment variable, the
// error messages), the kernels' signatures against the Go side's launch
// table, launch geometry and argument packing, the row-major to cuBLAS
// mapping against a column-major reference GEMM, and the whole backend
// through the conformance suite on a host simulator of the device:
// kernels.cu compiled by the C++ compiler (with AddressSanitizer where
// available) behind the same device interface, so that the plan, buffer
// sizes, launch arguments and GEMM calls run end to end. Unless built
// with tengen_nocuda, TestFakeDriver goes one step further: it builds stand-ins
// for libcuda, cuBLAS and NVRTC from testdata/fakecuda.cpp (the same
// entry points and signatures, running the kernels and GEMMs on the host)
// and runs the GPU tests against them in a child process, so that the
// purego bindings, contexts, launch parameter blocks, the cuBLAS calls and
// the fallback from cubin to PTX run for real. The tests that need a GPU
// (the conformance suite on the device, the default networks against
// nets/cpu at batch 256, cuBLAS's GEMMs, concurrency) skip elsewhere with
// the reason; scripts/gpu-build and scripts/gpu-check run them on a GPU
// machine. As of this writing the backend has not yet run on a GPU
// (docs/perf.md).
package cuda
