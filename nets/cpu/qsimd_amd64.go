package cpu

// The AVX-512 kernels of qsimd_amd64.s: the Int8 passes' (used when
// hasAVX512 and quantSIMD; qconv.go's Go loops are their references) and
// im2col's (when hasAVX512; im2colGo is its reference).

//go:noescape
func quantU8AVX512(dst *byte, src *float32, cs, groups, w, cp int, inv float32)

//go:noescape
func quantS16AVX512(dst *byte, src *float32, cs, pairs, w, px int, inv, lim float32)

//go:noescape
func absMaxAVX512(x *float32, n int) float32

//go:noescape
func unpackRowAVX512(dst *float32, cs int, src *float32, fp, f, w int)

//go:noescape
func im2colRowAVX512(dst *float32, plane *float32, cnt, h, w, dy, dx, pos, y, x int)
