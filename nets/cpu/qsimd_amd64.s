#include "textflag.h"

// AVX-512 kernels of the reduced-precision paths' own passes: the Int8
// quantisation and unpacking, and im2col (bf16, and fp32's im2col
// layers). The Go loops (qconv.go, conv.go's im2colGo) are the
// references and give the same bytes and floats.

// The lane numbers 0..15.
DATA qiota<>+0(SB)/4, $0
DATA qiota<>+4(SB)/4, $1
DATA qiota<>+8(SB)/4, $2
DATA qiota<>+12(SB)/4, $3
DATA qiota<>+16(SB)/4, $4
DATA qiota<>+20(SB)/4, $5
DATA qiota<>+24(SB)/4, $6
DATA qiota<>+28(SB)/4, $7
DATA qiota<>+32(SB)/4, $8
DATA qiota<>+36(SB)/4, $9
DATA qiota<>+40(SB)/4, $10
DATA qiota<>+44(SB)/4, $11
DATA qiota<>+48(SB)/4, $12
DATA qiota<>+52(SB)/4, $13
DATA qiota<>+56(SB)/4, $14
DATA qiota<>+60(SB)/4, $15
GLOBL qiota<>(SB), RODATA|NOPTR, $64

// PXMASK sets K1 to the lanes of the pixel block at x0 (R14) of w (R10)
// pixels: min(16, w-x0) low lanes.
#define PXMASK \
	MOVQ R10, CX; \
	SUBQ R14, CX; \
	MOVL $0xffff, AX; \
	CMPQ CX, $16; \
	JGE 4(PC); \
	MOVL $1, AX; \
	SHLL CX, AX; \
	DECL AX; \
	KMOVW AX, K1

// func quantU8AVX512(dst *byte, src *float32, cs, groups, w, cp int, inv float32)
//
// Channels 0..4*groups-1 of w pixels: pixel x's byte of channel ch,
// dst[x*cp+ch], is src[ch*cs+x]*inv rounded to the nearest integer (even
// on ties) and clamped to [0, 255] (NaN: 0), as quantize does. A step
// quantises 16 pixels of 4 channels, packs them into one dword per pixel
// and scatters those cp bytes apart.
TEXT ·quantU8AVX512(SB), NOSPLIT, $0-52
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ cs+16(FP), R8
	SHLQ $2, R8
	MOVQ groups+24(FP), R9
	MOVQ w+32(FP), R10
	MOVQ cp+40(FP), R11
	VBROADCASTSS inv+48(FP), Z28
	VPXORD Z29, Z29, Z29          // 0
	MOVL $0x437f0000, AX          // 255
	VPBROADCASTD AX, Z30
	VPBROADCASTD R11, Z31
	VPMULLD qiota<>(SB), Z31, Z31 // lane*cp
	LEAQ (R8)(R8*2), R12          // 3 channels
	LEAQ (R8)(R8*1), R15          // 2 channels
	XORQ R14, R14                 // x0
	TESTQ R9, R9
	JLE qu8done

qu8block:
	CMPQ R14, R10
	JGE qu8done
	PXMASK
	LEAQ (SI)(R14*4), BX // channel 4g's row, pixel x0
	MOVQ R14, DX
	IMULQ R11, DX
	ADDQ DI, DX          // pixel x0's byte 4g
	MOVQ R9, R13

qu8group:
#define QU8(off, z) \
	VMOVUPS.Z off, K1, z; \
	VMULPS Z28, z, z; \
	VMAXPS Z29, z, z; \
	VMINPS Z30, z, z; \
	VCVTPS2DQ z, z
	QU8((BX), Z0)
	QU8((BX)(R8*1), Z1)
	QU8((BX)(R15*1), Z2)
	QU8((BX)(R12*1), Z3)
#undef QU8
	VPSLLD $8, Z1, Z1
	VPSLLD $16, Z2, Z2
	VPSLLD $24, Z3, Z3
	VPORD Z1, Z0, Z0
	VPTERNLOGD $0xfe, Z3, Z2, Z0 // Z0 | Z2 | Z3
	KMOVW K1, K2
	VPSCATTERDD Z0, K2, (DX)(Z31*1)
	LEAQ (BX)(R8*4), BX
	ADDQ $4, DX
	DECQ R13
	JNZ qu8group

	ADDQ $16, R14
	JMP qu8block

qu8done:
	VZEROUPPER
	RET

// func quantS16AVX512(dst *byte, src *float32, cs, pairs, w, px int, inv, lim float32)
//
// Channels 0..2*pairs-1 of w pixels as int16: pixel x's channel ch, at
// dst[x*px+2*ch], is src[ch*cs+x]*inv clamped to [-lim, lim] and rounded
// to the nearest integer (even on ties). A NaN stays NaN through the
// clamp (VMINPS and VMAXPS return their second source, the value, on
// one) and converts to 0x80000000, so its int16 is 0, as Go's conversion
// gives on amd64.
TEXT ·quantS16AVX512(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ cs+16(FP), R8
	SHLQ $2, R8
	MOVQ pairs+24(FP), R9
	MOVQ w+32(FP), R10
	MOVQ px+40(FP), R11
	VBROADCASTSS inv+48(FP), Z28
	VBROADCASTSS lim+52(FP), Z30
	VXORPS Z29, Z29, Z29
	VSUBPS Z30, Z29, Z29 // -lim
	MOVL $0xffff, AX
	VPBROADCASTD AX, Z27
	VPBROADCASTD R11, Z31
	VPMULLD qiota<>(SB), Z31, Z31 // lane*px
	XORQ R14, R14
	TESTQ R9, R9
	JLE qs16done

qs16block:
	CMPQ R14, R10
	JGE qs16done
	PXMASK
	LEAQ (SI)(R14*4), BX
	MOVQ R14, DX
	IMULQ R11, DX
	ADDQ DI, DX
	MOVQ R9, R13

qs16pair:
#define QS16(off, z) \
	VMOVUPS.Z off, K1, z; \
	VMULPS Z28, z, z; \
	VMINPS z, Z30, z; \
	VMAXPS z, Z29, z; \
	VCVTPS2DQ z, z
	QS16((BX), Z0)
	QS16((BX)(R8*1), Z1)
#undef QS16
	VPANDD Z27, Z0, Z0
	VPSLLD $16, Z1, Z1
	VPORD Z1, Z0, Z0
	KMOVW K1, K2
	VPSCATTERDD Z0, K2, (DX)(Z31*1)
	LEAQ (BX)(R8*2), BX
	ADDQ $4, DX
	DECQ R13
	JNZ qs16pair

	ADDQ $16, R14
	JMP qs16block

qs16done:
	VZEROUPPER
	RET

// func absMaxAVX512(x *float32, n int) float32
//
// The largest |x[i]| over i < n (0 for n = 0): the largest of the
// values' bits with the sign cleared, so a NaN wins as Go's max lets it.
TEXT ·absMaxAVX512(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), DX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	MOVL $0x7fffffff, AX
	VPBROADCASTD AX, Z31
amloop32:
	CMPQ DX, $32
	JLT amtail
	VPANDD (SI), Z31, Z2
	VPANDD 64(SI), Z31, Z3
	VPMAXUD Z2, Z0, Z0
	VPMAXUD Z3, Z1, Z1
	ADDQ $128, SI
	SUBQ $32, DX
	JMP amloop32
amtail:
	TESTQ DX, DX
	JLE amreduce
	MOVL $0xffff, AX
	CMPQ DX, $16
	JGE 5(PC)
	MOVQ DX, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVDQU32.Z (SI), K1, Z2
	VPANDD Z2, Z31, Z2
	VPMAXUD Z2, Z0, Z0
	ADDQ $64, SI
	SUBQ $16, DX
	JMP amtail
amreduce:
	VPMAXUD Z1, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPMAXUD Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPMAXUD X1, X0, X0
	VPSHUFD $0x4e, X0, X1
	VPMAXUD X1, X0, X0
	VPSHUFD $0xb1, X0, X1
	VPMAXUD X1, X0, X0
	VMOVD X0, AX
	MOVL AX, ret+16(FP)
	VZEROUPPER
	RET

// func unpackRowAVX512(dst *float32, cs int, src *float32, fp, f, w int)
//
// dst[r*cs+x] = src[x*fp+r] for r < f, x < w: a row of output pixels,
// channel-last, to channel-major planes cs floats apart (16 pixels of a
// channel a gather).
TEXT ·unpackRowAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ cs+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ fp+24(FP), R11
	MOVQ f+32(FP), R9
	MOVQ w+40(FP), R10
	VPBROADCASTD R11, Z31
	VPMULLD qiota<>(SB), Z31, Z31 // lane*fp
	MOVQ R11, R12
	SHLQ $6, R12                  // 16 pixels' bytes
	XORQ R14, R14
	TESTQ R9, R9
	JLE updone

upblock:
	CMPQ R14, R10
	JGE updone
	PXMASK
	MOVQ SI, BX
	MOVQ DI, DX
	MOVQ R9, R13
upchan:
	KMOVW K1, K2
	VGATHERDPS (BX)(Z31*4), K2, Z0
	VMOVUPS Z0, K1, (DX)
	ADDQ $4, BX
	ADDQ R8, DX
	DECQ R13
	JNZ upchan

	ADDQ R12, SI
	ADDQ $64, DI
	ADDQ $16, R14
	JMP upblock

updone:
	VZEROUPPER
	RET

// func im2colRowAVX512(dst *float32, plane *float32, cnt, h, w, dy, dx, pos, y, x int)
//
// One row of im2col's lowered input (w <= 32): dst[t] for t < cnt is
// the input at (y+dy, x+dx) of the map of column c0+t (position pos,
// pixel (y, x) at t = 0, then pixel by pixel), 0 outside the map. A step
// writes a run of pixels of one map row with one masked load (the lanes
// inside the map) and one masked store.
TEXT ·im2colRowAVX512(SB), NOSPLIT, $0-80
	MOVQ dst+0(FP), DI
	MOVQ plane+8(FP), SI
	MOVQ cnt+16(FP), R8
	MOVQ h+24(FP), R9
	MOVQ w+32(FP), R10
	MOVQ dy+40(FP), R11
	MOVQ dx+48(FP), R12
	MOVQ pos+56(FP), R13
	IMULQ R9, R13
	MOVQ y+64(FP), R14
	ADDQ R14, R13 // the map row of all positions: pos*h + y
	MOVQ x+72(FP), R15
	XORQ BX, BX   // t

icseg:
	CMPQ BX, R8
	JGE icdone
	// DX: run = min(w-x, cnt-t); K3/K4: its lanes.
	MOVQ R10, DX
	SUBQ R15, DX
	MOVQ R8, AX
	SUBQ BX, AX
	CMPQ AX, DX
	CMOVQLT AX, DX
	MOVQ DX, CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVW AX, K3
	SHRQ $16, AX
	KMOVW AX, K4
	// The source row y+dy must lie in the map.
	MOVQ R14, CX
	ADDQ R11, CX
	CMPQ CX, $0
	JLT iczero
	CMPQ CX, R9
	JGE iczero
	// Lanes [uLo, uHi): uHi = min(run, w-dx-x), uLo = max(0, -dx-x).
	MOVQ R10, CX
	SUBQ R12, CX
	SUBQ R15, CX
	CMPQ CX, DX
	CMOVQGT DX, CX
	CMPQ CX, $0
	JLE iczero
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	MOVQ R12, CX
	ADDQ R15, CX
	NEGQ CX
	CMPQ CX, $0
	JLE icmask
	SHRQ CX, AX
	SHLQ CX, AX
icmask:
	KMOVW AX, K1
	SHRQ $16, AX
	KMOVW AX, K2
	MOVQ R13, CX
	ADDQ R11, CX
	IMULQ R10, CX
	ADDQ R15, CX
	ADDQ R12, CX
	LEAQ (SI)(CX*4), CX
	VMOVUPS.Z (CX), K1, Z0
	VMOVUPS.Z 64(CX), K2, Z1
	JMP icstore
iczero:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
icstore:
	LEAQ (DI)(BX*4), CX
	VMOVUPS Z0, K3, (CX)
	VMOVUPS Z1, K4, 64(CX)
	ADDQ DX, BX
	ADDQ DX, R15
	CMPQ R15, R10
	JLT icseg
	XORQ R15, R15
	INCQ R13
	INCQ R14
	CMPQ R14, R9
	JLT icseg
	XORQ R14, R14
	JMP icseg

icdone:
	VZEROUPPER
	RET
