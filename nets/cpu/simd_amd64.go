package cpu

import "golang.org/x/sys/cpu"

// hasAVX512 selects the AVX-512 kernels of simd_amd64.s for the passes
// around the GEMMs. A var so tests can compare them with the Go code.
var hasAVX512 = cpu.X86.HasAVX512F

//go:noescape
func winoInAVX512(src *float32, cs, c, w int, segs *winoSeg, nseg int, v *float32, vs, vc int, idx *int32)

//go:noescape
func winoOutAVX512(m *float32, ms, mf, f int, dst *float32, w, cs int, bias *float32, relu int, segs *winoSeg, nseg int, idx *int32)

//go:noescape
func lrnAVX512(dst, in, win *float32, nwin, cs, cnt int, k, alphaN float32, f32 bool)

//go:noescape
func dotF64AVX512(a, b *float32, n int) float64

//go:noescape
func pool3AVX512(dst, src *float32, h, w, planes int, cmask, lmask, rmask uint32)

//go:noescape
func dot4F64AVX512(a *float32, x *float64, ldx, n int, out *float64)
