#include "textflag.h"

// AVX-512 kernels of the passes around the GEMMs (see simd_amd64.go for
// the contracts; the Go functions they replace are the references, and
// each kernel does the same float32 operations in the same order, so the
// results agree bit for bit).

// A winoSeg (wino_simd.go) as the kernels read it.
#define SEG_IN 0
#define SEG_OUT 8
#define SEG_P 16
#define SEG_ROWS 24
#define SEG_LAST 32
#define SEG_INMASK 40
#define SEG_OUTMASK 44
#define SEG_NMASK 48
#define SEG_SIZE 56

// func winoInAVX512(src *float32, cs, c, w int, segs *winoSeg, nseg int, v *float32, vs, vc int, idx *int32)
//
// For each of c channels (src planes cs apart) and each segment (n <= 15
// consecutive tiles of a tile row), the tiles' 16 Winograd input
// components: row k (0..3) of the tiles' input is at src+off+k*w (if bit
// k of rows is set, else zeros), lane l of a row being column x0-1+l,
// loaded where bit l of the input mask is set. Component i of the
// segment's tile t goes to v[i*vs + ch*vc + p + t].
TEXT ·winoInAVX512(SB), NOSPLIT, $0-80
	MOVQ src+0(FP), R9
	MOVQ w+24(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R13
	MOVQ segs+32(FP), R15
	MOVQ nseg+40(FP), AX
	IMULQ $SEG_SIZE, AX
	ADDQ R15, AX
	MOVQ AX, R15 // the segments' end
	MOVQ v+48(FP), DI
	MOVQ vs+56(FP), BX
	SHLQ $2, BX
	LEAQ (BX)(BX*2), DX
	MOVQ idx+72(FP), AX
	VMOVDQU32 (AX), Z28
	VMOVDQU32 64(AX), Z29
	VMOVDQU32 128(AX), Z30
	VMOVDQU32 192(AX), Z31
	MOVQ c+16(FP), R14
	TESTQ R14, R14
	JZ indone
	CMPQ nseg+40(FP), $0
	JEQ indone

inch:
	MOVQ segs+32(FP), CX
inseg:
	MOVQ SEG_IN(CX), SI
	LEAQ (R9)(SI*4), SI
	MOVQ SEG_P(CX), AX
	LEAQ (DI)(AX*4), AX
	LEAQ (AX)(BX*4), R10
	LEAQ (R10)(BX*4), R11
	LEAQ (R11)(BX*4), R12
	KMOVW SEG_INMASK(CX), K1
	KMOVW SEG_INMASK+2(CX), K2
	KMOVW SEG_NMASK(CX), K3

	// The tiles' 4 input rows, 32 columns each: Z0..Z7.
	TESTQ $1, SEG_ROWS(CX)
	JZ inz0
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	JMP inr1
inz0:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
inr1:
	TESTQ $2, SEG_ROWS(CX)
	JZ inz1
	VMOVUPS.Z (SI)(R8*1), K1, Z2
	VMOVUPS.Z 64(SI)(R8*1), K2, Z3
	JMP inr2
inz1:
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
inr2:
	TESTQ $4, SEG_ROWS(CX)
	JZ inz2
	VMOVUPS.Z (SI)(R8*2), K1, Z4
	VMOVUPS.Z 64(SI)(R8*2), K2, Z5
	JMP inr3
inz2:
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
inr3:
	TESTQ $8, SEG_ROWS(CX)
	JZ inz3
	VMOVUPS.Z (SI)(R13*1), K1, Z6
	VMOVUPS.Z 64(SI)(R13*1), K2, Z7
	JMP inrows
inz3:
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
inrows:
	// B^T down the columns: q0 = d0-d2, q1 = d1+d2, q2 = d2-d1, q3 = d1-d3.
	VSUBPS Z4, Z0, Z8
	VSUBPS Z5, Z1, Z9
	VADDPS Z4, Z2, Z10
	VADDPS Z5, Z3, Z11
	VSUBPS Z2, Z4, Z12
	VSUBPS Z3, Z5, Z13
	VSUBPS Z6, Z2, Z14
	VSUBPS Z7, Z3, Z15

	// B along each row q: lanes t of E, O, E2, O2 are q[2t], q[2t+1],
	// q[2t+2], q[2t+3]; the tile's components are E-E2, O+E2, E2-O, O-O2.
#define INROW(lo, hi, base) \
	VMOVAPS lo, Z16; \
	VPERMT2PS hi, Z28, Z16; \
	VMOVAPS lo, Z17; \
	VPERMT2PS hi, Z29, Z17; \
	VMOVAPS lo, Z18; \
	VPERMT2PS hi, Z30, Z18; \
	VMOVAPS lo, Z19; \
	VPERMT2PS hi, Z31, Z19; \
	VSUBPS Z18, Z16, Z20; \
	VADDPS Z18, Z17, Z21; \
	VSUBPS Z17, Z18, Z22; \
	VSUBPS Z19, Z17, Z23; \
	VMOVUPS Z20, K3, (base); \
	VMOVUPS Z21, K3, (base)(BX*1); \
	VMOVUPS Z22, K3, (base)(BX*2); \
	VMOVUPS Z23, K3, (base)(DX*1)

	INROW(Z8, Z9, AX)
	INROW(Z10, Z11, R10)
	INROW(Z12, Z13, R11)
	INROW(Z14, Z15, R12)
#undef INROW

	ADDQ $SEG_SIZE, CX
	CMPQ CX, R15
	JLT inseg
	MOVQ cs+8(FP), AX
	LEAQ (R9)(AX*4), R9
	MOVQ vc+64(FP), AX
	LEAQ (DI)(AX*4), DI
	DECQ R14
	JNZ inch
indone:
	VZEROUPPER
	RET

// func winoOutAVX512(m *float32, ms, mf, f int, dst *float32, w, cs int, bias *float32, relu int, segs *winoSeg, nseg int, idx *int32)
//
// For each of f filters and each segment, the output pixels Y = A^T M A +
// bias (ReLU'd when relu is 1) of the segment's n <= 15 tiles: component
// i of tile t of filter o is m[i*ms + o*mf + p + t]; the tiles' top output
// row goes to dst + o*cs + out (lanes where bit l of the output mask is
// set, lane l being column x0+l), the second row w further when bit 1 of
// last is set.
TEXT ·winoOutAVX512(SB), NOSPLIT, $0-96
	MOVQ m+0(FP), R9
	MOVQ ms+8(FP), BX
	SHLQ $2, BX
	LEAQ (BX)(BX*2), DX
	MOVQ dst+32(FP), DI
	MOVQ w+40(FP), R8
	SHLQ $2, R8
	MOVQ bias+56(FP), R13
	MOVQ segs+72(FP), R15
	MOVQ nseg+80(FP), AX
	IMULQ $SEG_SIZE, AX
	ADDQ R15, AX
	MOVQ AX, R15 // the segments' end
	MOVQ idx+88(FP), AX
	VMOVDQU32 (AX), Z30
	VMOVDQU32 64(AX), Z31
	MOVQ f+24(FP), R14
	TESTQ R14, R14
	JZ outdone
	CMPQ nseg+80(FP), $0
	JEQ outdone

outf:
	VBROADCASTSS (R13), Z24
	MOVQ segs+72(FP), CX
outseg:
	MOVQ SEG_P(CX), AX
	LEAQ (R9)(AX*4), AX
	LEAQ (AX)(BX*4), R10
	LEAQ (R10)(BX*4), R11
	LEAQ (R11)(BX*4), R12
	MOVQ SEG_OUT(CX), SI
	LEAQ (DI)(SI*4), SI
	KMOVW SEG_OUTMASK(CX), K1
	KMOVW SEG_OUTMASK+2(CX), K2
	KMOVW SEG_NMASK(CX), K3

	// s0j = m0j + m1j + m2j, s1j = m1j - m2j - m3j (m_ij: component 4i+j).
#define OUTCOL(ma, mb, mc, md, s0, s1) \
	VMOVUPS.Z ma, K3, Z0; \
	VMOVUPS.Z mb, K3, Z1; \
	VMOVUPS.Z mc, K3, Z2; \
	VMOVUPS.Z md, K3, Z3; \
	VADDPS Z1, Z0, s0; \
	VADDPS Z2, s0, s0; \
	VSUBPS Z2, Z1, s1; \
	VSUBPS Z3, s1, s1

	OUTCOL((AX), (R10), (R11), (R12), Z16, Z20)
	OUTCOL((AX)(BX*1), (R10)(BX*1), (R11)(BX*1), (R12)(BX*1), Z17, Z21)
	OUTCOL((AX)(BX*2), (R10)(BX*2), (R11)(BX*2), (R12)(BX*2), Z18, Z22)
	OUTCOL((AX)(DX*1), (R10)(DX*1), (R11)(DX*1), (R12)(DX*1), Z19, Z23)
#undef OUTCOL

	// y00 = s00+s01+s02 + b, y01 = s01-s02-s03 + b, and the same of s1.
	VADDPS Z17, Z16, Z4
	VADDPS Z18, Z4, Z4
	VADDPS Z24, Z4, Z4
	VSUBPS Z18, Z17, Z5
	VSUBPS Z19, Z5, Z5
	VADDPS Z24, Z5, Z5
	VADDPS Z21, Z20, Z6
	VADDPS Z22, Z6, Z6
	VADDPS Z24, Z6, Z6
	VSUBPS Z22, Z21, Z7
	VSUBPS Z23, Z7, Z7
	VADDPS Z24, Z7, Z7
	CMPQ relu+64(FP), $0
	JEQ outstore
	// ReLU as relu(): x &^ (x >> 31), arithmetic shift.
	VPSRAD $31, Z4, Z8
	VPANDND Z4, Z8, Z4
	VPSRAD $31, Z5, Z9
	VPANDND Z5, Z9, Z5
	VPSRAD $31, Z6, Z10
	VPANDND Z6, Z10, Z6
	VPSRAD $31, Z7, Z11
	VPANDND Z7, Z11, Z7
outstore:
	// Interleave y00, y01 into the top row, y10, y11 into the second.
	VMOVAPS Z4, Z12
	VPERMT2PS Z5, Z30, Z12
	VMOVAPS Z4, Z13
	VPERMT2PS Z5, Z31, Z13
	VMOVUPS Z12, K1, (SI)
	VMOVUPS Z13, K2, 64(SI)
	TESTQ $2, SEG_LAST(CX)
	JZ outnext
	VMOVAPS Z6, Z14
	VPERMT2PS Z7, Z30, Z14
	VMOVAPS Z6, Z15
	VPERMT2PS Z7, Z31, Z15
	VMOVUPS Z14, K1, (SI)(R8*1)
	VMOVUPS Z15, K2, 64(SI)(R8*1)
outnext:
	ADDQ $SEG_SIZE, CX
	CMPQ CX, R15
	JLT outseg
	ADDQ $4, R13
	MOVQ mf+16(FP), AX
	LEAQ (R9)(AX*4), R9
	MOVQ cs+48(FP), AX
	LEAQ (DI)(AX*4), DI
	DECQ R14
	JNZ outf
outdone:
	VZEROUPPER
	RET

// func lrnAVX512(dst, in, win *float32, nwin, cs, cnt int, k, alphaN float32, f32 bool)
//
// For i < cnt: s = the sum over j < nwin of win[j*cs+i]^2 (in that
// order), d = float64(k + alphaN*s) and dst[i] = in[i] /
// float32(sqrt(d*sqrt(d))): lrnOp's d^0.75, with the same roundings.
// With f32, d and both square roots stay float32 (VSQRTPS is correctly
// rounded, as float32(math.Sqrt(float64(x))) is in Go).
TEXT ·lrnAVX512(SB), NOSPLIT, $0-57
	MOVQ dst+0(FP), DI
	MOVQ in+8(FP), SI
	MOVQ win+16(FP), R8
	MOVQ nwin+24(FP), R9
	MOVQ cs+32(FP), R10
	SHLQ $2, R10
	MOVQ cnt+40(FP), DX
	VBROADCASTSS k+48(FP), Z30
	VBROADCASTSS alphaN+52(FP), Z31
	MOVBLZX f32+56(FP), BX
	MOVL $0xffff, AX
	KMOVW AX, K1
lrnloop:
	TESTQ DX, DX
	JLE lrndone
	CMPQ DX, $16
	JGE lrnfull
	MOVQ DX, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
lrnfull:
	MOVQ R8, R11
	VMOVUPS.Z (R11), K1, Z0
	VMULPS Z0, Z0, Z0
	MOVQ R9, CX
	DECQ CX
	JLE lrnsum
lrnwin:
	ADDQ R10, R11
	VMOVUPS.Z (R11), K1, Z1
	VMULPS Z1, Z1, Z1
	VADDPS Z1, Z0, Z0
	DECQ CX
	JNZ lrnwin
lrnsum:
	VMULPS Z0, Z31, Z0
	VADDPS Z30, Z0, Z0
	TESTL BX, BX
	JZ lrnf64
	VSQRTPS Z0, Z4
	VMULPS Z4, Z0, Z4
	VSQRTPS Z4, Z4
	JMP lrndiv
lrnf64:
	VCVTPS2PD Y0, Z2
	VEXTRACTF64X4 $1, Z0, Y3
	VCVTPS2PD Y3, Z3
	VSQRTPD Z2, Z4
	VMULPD Z4, Z2, Z4
	VSQRTPD Z4, Z4
	VSQRTPD Z3, Z5
	VMULPD Z5, Z3, Z5
	VSQRTPD Z5, Z5
	VCVTPD2PS Z4, Y4
	VCVTPD2PS Z5, Y5
	VINSERTF64X4 $1, Y5, Z4, Z4
lrndiv:
	VMOVUPS.Z (SI), K1, Z6
	VDIVPS Z4, Z6, Z6
	VMOVUPS Z6, K1, (DI)
	ADDQ $64, R8
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, DX
	JMP lrnloop
lrndone:
	VZEROUPPER
	RET

// func dotF64AVX512(a, b *float32, n int) float64
//
// The sum of a[i]*b[i] over i < n in float64 (the products are exact;
// the sum is taken in 32 interleaved partial sums, then added up).
TEXT ·dotF64AVX512(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), DX
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
dot32:
	CMPQ DX, $32
	JLT dot8
	VCVTPS2PD (SI), Z0
	VCVTPS2PD (DI), Z1
	VFMADD231PD Z1, Z0, Z4
	VCVTPS2PD 32(SI), Z2
	VCVTPS2PD 32(DI), Z3
	VFMADD231PD Z3, Z2, Z5
	VCVTPS2PD 64(SI), Z0
	VCVTPS2PD 64(DI), Z1
	VFMADD231PD Z1, Z0, Z6
	VCVTPS2PD 96(SI), Z2
	VCVTPS2PD 96(DI), Z3
	VFMADD231PD Z3, Z2, Z7
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, DX
	JMP dot32
dot8:
	TESTQ DX, DX
	JLE dotsum
	MOVQ DX, CX
	MOVL $0xff, AX
	CMPQ DX, $8
	JGE dotmask
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
dotmask:
	KMOVW AX, K1
	VCVTPS2PD.Z (SI), K1, Z0
	VCVTPS2PD.Z (DI), K1, Z1
	VFMADD231PD Z1, Z0, Z4
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, DX
	JMP dot8
dotsum:
	VADDPD Z5, Z4, Z4
	VADDPD Z7, Z6, Z6
	VADDPD Z6, Z4, Z4
	VEXTRACTF64X4 $1, Z4, Y5
	VADDPD Y5, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VADDPD X5, X4, X4
	VPERMILPD $1, X4, X5
	VADDSD X5, X4, X4
	VMOVSD X4, ret+24(FP)
	VZEROUPPER
	RET

// func pool3AVX512(dst, src *float32, h, w, planes int, cmask, lmask, rmask uint32)
//
// 3x3 max pooling, stride 1, of planes consecutive h x w planes (w <= 32),
// positions outside the plane left out: lanes outside the masks (cmask:
// the row, lmask: lanes with a left neighbour, rmask: with a right one)
// read as -Inf. Maxima are VMAXPS's: with NaNs or zeros of both signs in
// a window the result may differ from Go's max.
TEXT ·pool3AVX512(SB), NOSPLIT, $0-52
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ h+16(FP), R9
	MOVQ w+24(FP), R8
	SHLQ $2, R8
	MOVQ planes+32(FP), R10
	MOVL cmask+40(FP), AX
	KMOVW AX, K1
	SHRL $16, AX
	KMOVW AX, K2
	MOVL lmask+44(FP), AX
	KMOVW AX, K3
	SHRL $16, AX
	KMOVW AX, K4
	MOVL rmask+48(FP), AX
	KMOVW AX, K5
	SHRL $16, AX
	KMOVW AX, K6
	MOVL $0xff800000, AX
	VPBROADCASTD AX, Z20
	TESTQ R10, R10
	JZ pooldone
	TESTQ R9, R9
	JZ pooldone

	// ROWMAX: the maxima of each column's left, own and right values in
	// the row at ptr.
#define ROWMAX(ptr, lo, hi) \
	VMOVAPS Z20, Z0; \
	VMOVUPS (ptr), K1, Z0; \
	VMOVAPS Z20, Z1; \
	VMOVUPS 64(ptr), K2, Z1; \
	VMOVAPS Z20, Z2; \
	VMOVUPS -4(ptr), K3, Z2; \
	VMOVAPS Z20, Z3; \
	VMOVUPS 60(ptr), K4, Z3; \
	VMOVAPS Z20, Z12; \
	VMOVUPS 4(ptr), K5, Z12; \
	VMOVAPS Z20, Z13; \
	VMOVUPS 68(ptr), K6, Z13; \
	VMAXPS Z2, Z0, lo; \
	VMAXPS Z12, lo, lo; \
	VMAXPS Z3, Z1, hi; \
	VMAXPS Z13, hi, hi

poolplane:
	// Z4/Z5: the row above's maxima, Z6/Z7: this row's, Z8/Z9: below.
	VMOVAPS Z20, Z4
	VMOVAPS Z20, Z5
	ROWMAX(SI, Z6, Z7)
	MOVQ R9, CX
poolrow:
	DECQ CX
	JZ poollast
	ADDQ R8, SI
	ROWMAX(SI, Z8, Z9)
	JMP poolemit
poollast:
	VMOVAPS Z20, Z8
	VMOVAPS Z20, Z9
poolemit:
	VMAXPS Z4, Z6, Z10
	VMAXPS Z8, Z10, Z10
	VMAXPS Z5, Z7, Z11
	VMAXPS Z9, Z11, Z11
	VMOVUPS Z10, K1, (DI)
	VMOVUPS Z11, K2, 64(DI)
	ADDQ R8, DI
	VMOVAPS Z6, Z4
	VMOVAPS Z7, Z5
	VMOVAPS Z8, Z6
	VMOVAPS Z9, Z7
	TESTQ CX, CX
	JNZ poolrow
#undef ROWMAX
	ADDQ R8, SI
	DECQ R10
	JNZ poolplane
pooldone:
	VZEROUPPER
	RET

// func dot4F64AVX512(a *float32, x *float64, ldx, n int, out *float64)
//
// out[p] = the sum of a[i]*x[p*ldx+i] over i < n for p < 4, each in the
// same order as dotF64AVX512 (x holds float64(b[i]) of its b), so the
// four results have its bits: a row of a is read and converted once for
// four positions.
TEXT ·dot4F64AVX512(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ ldx+16(FP), R8
	SHLQ $3, R8
	LEAQ (R8)(R8*1), R9
	LEAQ (R9)(R8*1), R10
	MOVQ n+24(FP), DX
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
d4loop32:
	CMPQ DX, $32
	JLT d4loop8
	VCVTPS2PD (SI), Z0
	VCVTPS2PD 32(SI), Z1
	VCVTPS2PD 64(SI), Z2
	VCVTPS2PD 96(SI), Z3
	VFMADD231PD (DI), Z0, Z4
	VFMADD231PD 64(DI), Z1, Z5
	VFMADD231PD 128(DI), Z2, Z6
	VFMADD231PD 192(DI), Z3, Z7
	VFMADD231PD (DI)(R8*1), Z0, Z8
	VFMADD231PD 64(DI)(R8*1), Z1, Z9
	VFMADD231PD 128(DI)(R8*1), Z2, Z10
	VFMADD231PD 192(DI)(R8*1), Z3, Z11
	VFMADD231PD (DI)(R9*1), Z0, Z12
	VFMADD231PD 64(DI)(R9*1), Z1, Z13
	VFMADD231PD 128(DI)(R9*1), Z2, Z14
	VFMADD231PD 192(DI)(R9*1), Z3, Z15
	VFMADD231PD (DI)(R10*1), Z0, Z16
	VFMADD231PD 64(DI)(R10*1), Z1, Z17
	VFMADD231PD 128(DI)(R10*1), Z2, Z18
	VFMADD231PD 192(DI)(R10*1), Z3, Z19
	ADDQ $128, SI
	ADDQ $256, DI
	SUBQ $32, DX
	JMP d4loop32
d4loop8:
	TESTQ DX, DX
	JLE d4sum
	MOVQ DX, CX
	MOVL $0xff, AX
	CMPQ DX, $8
	JGE d4mask
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
d4mask:
	KMOVW AX, K1
	VCVTPS2PD.Z (SI), K1, Z0
	VMOVUPD.Z (DI), K1, Z1
	VFMADD231PD Z1, Z0, Z4
	VMOVUPD.Z (DI)(R8*1), K1, Z1
	VFMADD231PD Z1, Z0, Z8
	VMOVUPD.Z (DI)(R9*1), K1, Z1
	VFMADD231PD Z1, Z0, Z12
	VMOVUPD.Z (DI)(R10*1), K1, Z1
	VFMADD231PD Z1, Z0, Z16
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $8, DX
	JMP d4loop8
d4sum:
	MOVQ out+32(FP), DI
#define D4SUM(a0, a1, a2, a3, off) \
	VADDPD a1, a0, a0; \
	VADDPD a3, a2, a2; \
	VADDPD a2, a0, Z0; \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VADDPD Y1, Y0, Y0; \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPD X1, X0, X0; \
	VPERMILPD $1, X0, X1; \
	VADDSD X1, X0, X0; \
	VMOVSD X0, off(DI)
	D4SUM(Z4, Z5, Z6, Z7, 0)
	D4SUM(Z8, Z9, Z10, Z11, 8)
	D4SUM(Z12, Z13, Z14, Z15, 16)
	D4SUM(Z16, Z17, Z18, Z19, 24)
#undef D4SUM
	VZEROUPPER
	RET
