//go:build !amd64

package cpu

// hasAVX512 is false off amd64: the Go code runs.
var hasAVX512 = false

func winoInAVX512(src *float32, cs, c, w int, segs *winoSeg, nseg int, v *float32, vs, vc int, idx *int32) {
	panic("cpu: no AVX-512")
}

func winoOutAVX512(m *float32, ms, mf, f int, dst *float32, w, cs int, bias *float32, relu int, segs *winoSeg, nseg int, idx *int32) {
	panic("cpu: no AVX-512")
}

func lrnAVX512(dst, in, win *float32, nwin, cs, cnt int, k, alphaN float32, f32 bool) {
	panic("cpu: no AVX-512")
}

func dotF64AVX512(a, b *float32, n int) float64 { panic("cpu: no AVX-512") }

func pool3AVX512(dst, src *float32, h, w, planes int, cmask, lmask, rmask uint32) {
	panic("cpu: no AVX-512")
}

func quantU8AVX512(dst *byte, src *float32, cs, groups, w, cp int, inv float32) {
	panic("cpu: no AVX-512")
}

func quantS16AVX512(dst *byte, src *float32, cs, pairs, w, px int, inv, lim float32) {
	panic("cpu: no AVX-512")
}

func absMaxAVX512(x *float32, n int) float32 { panic("cpu: no AVX-512") }

func unpackRowAVX512(dst *float32, cs int, src *float32, fp, f, w int) {
	panic("cpu: no AVX-512")
}

func im2colRowAVX512(dst *float32, plane *float32, cnt, h, w, dy, dx, pos, y, x int) {
	panic("cpu: no AVX-512")
}

func dot4F64AVX512(a *float32, x *float64, ldx, n int, out *float64) {
	panic("cpu: no AVX-512")
}
