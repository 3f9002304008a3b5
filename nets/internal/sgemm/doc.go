// Package sgemm is tengen's single-precision matrix multiply for the CPU
// network path: C = alpha·op(A)·op(B) + beta·C on row-major matrices, with
// the BLAS (cblas RowMajor) argument convention.
//
// It follows the Goto/BLIS scheme: B is packed into KC×NR panels, A into
// MR×KC panels, and a register-blocked micro-kernel multiplies one A panel
// by one B panel. On amd64 the micro-kernel is Go assembly: 12×32 with
// AVX-512 when the CPU has it, else 6×16 with AVX2 and FMA. Elsewhere, or
// without those instruction sets, a pure-Go 4×4 kernel runs. Products large
// enough to pay for it are split over GOMAXPROCS goroutines along N (or M,
// when N is narrow); small ones run on the calling goroutine.
//
// A Context holds the packing buffers so that steady-state calls do not
// allocate; the package-level Sgemm draws Contexts from a sync.Pool.
package sgemm
