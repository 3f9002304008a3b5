//go:build openblas

package cpu

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>

static void tengen_sgemm(int ta, int tb, int m, int n, int k, float alpha,
	const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
	cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
		m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
*/
import "C"

import "fmt"

// With the openblas build tag every GEMM is OpenBLAS's cblas_sgemm.
func init() { gemmImpl = openBLAS }

var openBLAS = blasImpl{name: "openblas", newGemm: func() gemmFunc { return cblasSgemm }}

// cblasSgemm calls cblas_sgemm (row-major) after checking that the slices
// hold the matrices (C would read or write past them silently).
func cblasSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	need := func(name string, s []float32, rows, cols, ld int) {
		if ld < max(cols, 1) || (rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols) {
			panic(fmt.Sprintf("cpu: sgemm: %s is %d values for %dx%d with stride %d", name, len(s), rows, cols, ld))
		}
	}
	need("A", a, ar, ac, lda)
	need("B", b, br, bc, ldb)
	need("C", c, m, n, ldc)
	if k == 0 {
		// cblas scales C by beta; no A or B values to point at.
		a, b = c, c
	}
	C.tengen_sgemm(cbool(transA), cbool(transB), C.int(m), C.int(n), C.int(k), C.float(alpha),
		(*C.float)(&a[0]), C.int(lda), (*C.float)(&b[0]), C.int(ldb), C.float(beta), (*C.float)(&c[0]), C.int(ldc))
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
