package cpu

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gemmFunc is a row-major single-precision GEMM:
// C = alpha*op(A)*op(B) + beta*C with op(A) m x k, op(B) k x n, C m x n.
// With beta == 0, C need not hold numbers on entry.
type gemmFunc func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// sgemm is the one GEMM every layer calls, always from a single goroutine
// per call (the backend splits work across cores itself). Swap it here (or
// from a build-tagged file's init) to change the BLAS.
var sgemm gemmFunc = gonumSgemm

// sgemmName names the BLAS behind sgemm, for benchmark reports.
var sgemmName = "gonum"

// BLAS returns the name of the GEMM the backend uses ("gonum", "openblas",
// ...), for benchmark reports.
func BLAS() string { return sgemmName }

// gonumSerialCols is the widest column slice handed to gonum in one call:
// gonum runs a product serially only when it has fewer than 4 blocks of
// 64x64, and its parallel path starts goroutines (and allocates) per call.
const gonumSerialCols = 64

// gonumSgemm calls gonum's Sgemm in column slices small enough to stay on
// its serial, allocation-free path.
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
	// Rows in slices of 64 keep blocks(m) at 1 per call; columns in slices
	// of 3*64 then keep the block count at 3.
	const rowStep, colStep = 64, 3 * gonumSerialCols
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
