package sgemm

import "unsafe"

// kernelFunc computes the mr×nr tile c = alpha·A~·B~ + beta·c over k
// steps, where element (r, l) of A~ is at a[r·ars + l·ass], row l of B~
// (nr consecutive values) at b[l·bss], and c has row stride ldc; strides
// count float32s. A packed A panel has ars = 1, ass = mr; a packed B panel
// has bss = nr. beta == 0 (either sign) writes c without reading it.
type kernelFunc func(k int, a *float32, ars, ass int, b *float32, bss int, c *float32, ldc int, alpha, beta float32)

// kernel describes one micro-kernel and the cache blocking that suits it.
type kernel struct {
	name       string
	mr, nr     int // register tile
	kc, mc, nc int // cache blocks: kc×nc of B (L3), mc×kc of A (L2)
	ncPre      int // nc when all of A is packed at once (B block in L2)
	fn         kernelFunc
	// copyRows, when set, copies k rows of nr values, ld apart in src, to
	// dst contiguously: packing a full panel of a non-transposed B.
	copyRows func(dst, src *float32, ld, k int)
}

// goKernel is the portable kernel: a 4×4 tile, 16 scalar accumulators.
var goKernel = &kernel{name: "go4x4", mr: 4, nr: 4, kc: 256, mc: 128, nc: 2048, ncPre: 128, fn: kernGo4x4}

func kernGo4x4(k int, ap *float32, ars, ass int, bp *float32, bss int, cp *float32, ldc int, alpha, beta float32) {
	if k == 0 {
		kernGo4x4Store(cp, ldc, alpha, beta, [16]float32{})
		return
	}
	a := unsafe.Slice(ap, (k-1)*ass+3*ars+1)
	b := unsafe.Slice(bp, (k-1)*bss+4)
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	for p := 0; p < k; p++ {
		ao, bo := p*ass, p*bss
		a0, a1, a2, a3 := a[ao], a[ao+ars], a[ao+2*ars], a[ao+3*ars]
		bb := b[bo : bo+4 : bo+4]
		b0, b1, b2, b3 := bb[0], bb[1], bb[2], bb[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	kernGo4x4Store(cp, ldc, alpha, beta, [16]float32{
		c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33})
}

func kernGo4x4Store(cp *float32, ldc int, alpha, beta float32, t [16]float32) {
	c := unsafe.Slice(cp, 3*ldc+4)
	for r := range 4 {
		store4(c[r*ldc:r*ldc+4:r*ldc+4], t[4*r], t[4*r+1], t[4*r+2], t[4*r+3], alpha, beta)
	}
}

func store4(c []float32, x0, x1, x2, x3, alpha, beta float32) {
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*x0, alpha*x1, alpha*x2, alpha*x3
		return
	}
	c[0] = alpha*x0 + beta*c[0]
	c[1] = alpha*x1 + beta*c[1]
	c[2] = alpha*x2 + beta*c[2]
	c[3] = alpha*x3 + beta*c[3]
}
