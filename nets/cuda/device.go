package cuda

import (
	"fmt"
	"unsafe"
)

// devPtr is an address in device memory (CUdeviceptr).
type devPtr uint64

// f32 returns p advanced by i float32s.
func (p devPtr) f32(i int) devPtr { return p + devPtr(4*i) }

// device is what the backend needs from a GPU. cudaDevice implements it
// with the driver API, cuBLAS and NVRTC; the tests implement it with a
// host simulator that runs kernels.cu compiled by the C++ compiler, so
// that everything above this seam (the plan, buffer sizes, launch
// arguments and geometry, GEMM mappings) is tested without a GPU.
//
// Except for enter and close, methods must be called between enter and
// the leave it returns.
type device interface {
	// enter makes the device's context current on the calling goroutine's
	// OS thread, which it locks, until leave is called.
	enter() (leave func())
	// alloc returns bytes of device memory.
	alloc(bytes int) (devPtr, error)
	free(p devPtr) error
	// upload copies bytes from src in host memory to dst, synchronously.
	upload(dst devPtr, src unsafe.Pointer, bytes int) error
	// allocHost returns page-locked host memory for floats values
	// (the source and target of the streams' asynchronous copies).
	allocHost(floats int) ([]float32, error)
	freeHost(h []float32) error
	// newStream returns a stream with its own cuBLAS handle.
	newStream() (stream, error)
	// close releases the device (the context and the kernels' module).
	close() error
}

// stream is a queue of device work; calls only enqueue, sync waits.
type stream interface {
	// htod and dtoh copy between device memory and host memory from
	// allocHost, asynchronously.
	htod(dst devPtr, src []float32) error
	dtoh(dst []float32, src devPtr) error
	// launch runs kernel k on grid x block threads (one-dimensional) with
	// args, which checkArgs has accepted.
	launch(k kernelID, grid, block uint32, args []karg) error
	// sgemm and dgemm are cuBLAS's column-major GEMMs.
	sgemm(g colGemm) error
	dgemm(g colGemm) error
	sync() error
	destroy() error
}

// uploadF32 copies src to dst synchronously.
func uploadF32(d device, dst devPtr, src []float32) error {
	if len(src) == 0 {
		return nil
	}
	return d.upload(dst, unsafe.Pointer(&src[0]), 4*len(src))
}

// uploadF64 copies src to dst synchronously.
func uploadF64(d device, dst devPtr, src []float64) error {
	if len(src) == 0 {
		return nil
	}
	return d.upload(dst, unsafe.Pointer(&src[0]), 8*len(src))
}

// launch checks args against kernel k's signature and runs it over total
// elements on s.
func launch(s stream, k kernelID, total int, args ...karg) error {
	if err := checkArgs(k, args); err != nil {
		return err
	}
	grid, block, err := geometry(total)
	if err != nil {
		return fmt.Errorf("%v (kernel %s)", err, k)
	}
	return s.launch(k, grid, block, args)
}

// gemm is a row-major GEMM, the contract of nets/cpu's GEMMs:
// C = alpha*op(A)*op(B) + beta*C with op(A) m x k, op(B) k x n and C
// m x n; lda, ldb and ldc are the row strides of A, B and C as stored
// (A is k x m when transA).
type gemm struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	a              devPtr
	lda            int
	b              devPtr
	ldb            int
	c              devPtr
	ldc            int
}

// colGemm is a column-major GEMM as cuBLAS takes it: C = alpha*op(A)*op(B)
// + beta*C with op(A) m x k, op(B) k x n, C m x n, and leading dimensions
// the column strides.
type colGemm struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	a              devPtr
	lda            int
	b              devPtr
	ldb            int
	c              devPtr
	ldc            int
}

// colMajor returns the cuBLAS call that computes row-major g.
//
// A row-major r x c matrix with row stride ld is, read column-major with
// leading dimension ld, its transpose (c x r). So the memory of C is the
// column-major C^T (n x m, ld ldc), and C^T = op(B)^T op(A)^T. The memory
// of B read column-major is B_stored^T: that is op(B)^T when B is not
// transposed (cuBLAS's first operand untransposed) and op(B) when it is
// (first operand transposed). Likewise for A, the second operand. Hence:
// swap the operands and their strides, swap m and n, keep each operand's
// transpose flag with it, keep k, ldc, alpha and beta.
func (g gemm) colMajor() colGemm {
	return colGemm{
		transA: g.transB, transB: g.transA,
		m: g.n, n: g.m, k: g.k,
		alpha: g.alpha, beta: g.beta,
		a: g.b, lda: g.ldb,
		b: g.a, ldb: g.lda,
		c: g.c, ldc: g.ldc,
	}
}

// validate applies cuBLAS's argument checks (CUBLAS_STATUS_INVALID_VALUE
// otherwise): non-negative sizes, leading dimensions at least the rows
// of each stored operand (and 1), and sizes that fit its int parameters.
func (g colGemm) validate() error {
	rowsA, rowsB := g.m, g.k
	if g.transA {
		rowsA = g.k
	}
	if g.transB {
		rowsB = g.n
	}
	const maxInt32 = 1<<31 - 1
	switch {
	case g.m < 0 || g.n < 0 || g.k < 0:
		return fmt.Errorf("nets/cuda: gemm of %d x %d x %d", g.m, g.n, g.k)
	case g.m > maxInt32 || g.n > maxInt32 || g.k > maxInt32 || g.lda > maxInt32 || g.ldb > maxInt32 || g.ldc > maxInt32:
		return fmt.Errorf("nets/cuda: gemm sizes beyond int32 (%d x %d x %d)", g.m, g.n, g.k)
	case g.lda < max(1, rowsA):
		return fmt.Errorf("nets/cuda: gemm lda %d < %d", g.lda, max(1, rowsA))
	case g.ldb < max(1, rowsB):
		return fmt.Errorf("nets/cuda: gemm ldb %d < %d", g.ldb, max(1, rowsB))
	case g.ldc < max(1, g.m):
		return fmt.Errorf("nets/cuda: gemm ldc %d < %d", g.ldc, max(1, g.m))
	}
	return nil
}

// sgemmRow runs row-major g on s in float32.
func sgemmRow(s stream, g gemm) error {
	c := g.colMajor()
	if err := c.validate(); err != nil {
		return err
	}
	return s.sgemm(c)
}

// dgemmRow runs row-major g on s in float64.
func dgemmRow(s stream, g gemm) error {
	c := g.colMajor()
	if err := c.validate(); err != nil {
		return err
	}
	return s.dgemm(c)
}
