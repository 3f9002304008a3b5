package cpu

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/tengen-go/tengen/nets/internal/sgemm"
)

// gemmFunc is a row-major single-precision GEMM:
// C = alpha*op(A)*op(B) + beta*C with op(A) m x k, op(B) k x n, C m x n.
// With beta == 0, C need not hold numbers on entry.
type gemmFunc func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// blasImpl is a GEMM implementation: newGemm returns a GEMM for one worker
// goroutine (with its own scratch buffers; called from that goroutine
// only, single-threaded: the backend splits work across cores itself).
type blasImpl struct {
	name    string
	newGemm func() gemmFunc
	// newPacked, when not nil, returns a GEMM for one worker with A packed
	// ahead by sgemm.PackA (convolution weights): C = A·B, beta 0.
	newPacked func() packedGemmFunc
}

// packedGemmFunc computes C = A·B with A (m x k) packed by sgemm.PackA,
// B k x n (row stride ldb) and C m x n (row stride ldc).
type packedGemmFunc func(pa *sgemm.PackedA, n int, b []float32, ldb int, c []float32, ldc int)

// gemmImpl is the one GEMM every layer calls. Swap it here (or from a
// build-tagged file's init) to change the BLAS.
var gemmImpl = tengenBLAS

// BLAS returns the name of the GEMM the backend uses ("sgemm-avx512-12x32",
// "openblas", ...), for benchmark reports.
func BLAS() string { return gemmImpl.name }

// tengenBLAS is nets/internal/sgemm on one goroutine per call.
var tengenBLAS = blasImpl{
	name: "sgemm-" + sgemm.KernelName(),
	newGemm: func() gemmFunc {
		ctx := &sgemm.Context{Threads: 1}
		return ctx.Sgemm
	},
	newPacked: func() packedGemmFunc {
		ctx := &sgemm.Context{Threads: 1}
		return func(pa *sgemm.PackedA, n int, b []float32, ldb int, c []float32, ldc int) {
			ctx.SgemmPackedA(pa, false, n, 1, b, ldb, 0, c, ldc)
		}
	},
}

// gonumBLAS is gonum's pure-Go Sgemm, kept for comparison.
var gonumBLAS = blasImpl{name: "gonum", newGemm: func() gemmFunc { return gonumSgemm }}

// gonumSgemm calls gonum's Sgemm in slices small enough (at most 3 blocks
// of 64x64 of C) to stay on its serial, allocation-free path: its parallel
// path starts goroutines per call.
func gonumSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	ta, tb := blas.NoTrans, blas.NoTrans
	if transA {
		ta = blas.Trans
	}
	if transB {
		tb = blas.Trans
	}
	var impl gonum.Implementation
	const rowStep, colStep = 64, 3 * 64
	for i := 0; i < m; i += rowStep {
		mi := min(rowStep, m-i)
		var ai []float32
		if transA {
			ai = a[i:]
		} else {
			ai = a[i*lda:]
		}
		for j := 0; j < n; j += colStep {
			nj := min(colStep, n-j)
			var bj []float32
			if transB {
				bj = b[j*ldb:]
			} else {
				bj = b[j:]
			}
			impl.Sgemm(ta, tb, mi, nj, k, alpha, ai, lda, bj, ldb, beta, c[i*ldc+j:], ldc)
		}
	}
}
