package sgemm

import "golang.org/x/sys/cpu"

//go:generate go run gen_kernels.go

//go:noescape
func kernAVX2x6x16(k int, a *float32, ars, ass int, b *float32, bss int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernAVX512x12x32(k int, a *float32, ars, ass int, b *float32, bss int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernAVX512x8x32(k int, a *float32, ars, ass int, b *float32, bss int, c *float32, ldc int, alpha, beta float32)

//go:noescape
func copyRows32AVX512(dst, src *float32, ld, k int)

//go:noescape
func copyRows16AVX(dst, src *float32, ld, k int)

var (
	avx2Kernel    = &kernel{name: "avx2-6x16", mr: 6, nr: 16, kc: 256, mc: 120, nc: 2048, ncPre: 128, fn: kernAVX2x6x16, copyRows: copyRows16AVX}
	avx512Kernel  = &kernel{name: "avx512-12x32", mr: 12, nr: 32, kc: 256, mc: 144, nc: 2048, ncPre: 128, fn: kernAVX512x12x32, copyRows: copyRows32AVX512}
	avx512Kernel8 = &kernel{name: "avx512-8x32", mr: 8, nr: 32, kc: 256, mc: 128, nc: 2048, ncPre: 128, fn: kernAVX512x8x32, copyRows: copyRows32AVX512}
)

// asmKernels lists the assembly kernels this CPU can run, best first.
func asmKernels() []*kernel {
	var ks []*kernel
	if cpu.X86.HasAVX512F {
		// 8×32 wastes no rows on the common M of 64, 128, 256 and runs
		// as fast as 12×32 from L1.
		ks = append(ks, avx512Kernel8, avx512Kernel)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, avx2Kernel)
	}
	return ks
}
