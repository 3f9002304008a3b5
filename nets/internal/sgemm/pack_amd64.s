#include "textflag.h"

// func copyRows32AVX512(dst, src *float32, ld, k int)
// Copies k rows of 32 float32s, src rows ld elements apart, to dst
// contiguously.
TEXT ·copyRows32AVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	SHLQ $2, R8
	MOVQ k+24(FP), CX
	LEAQ (R8)(R8*1), R9
loop2:
	CMPQ CX, $2
	JLT loop1
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS (SI)(R8*1), Z2
	VMOVUPS 64(SI)(R8*1), Z3
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ R9, SI
	ADDQ $256, DI
	SUBQ $2, CX
	JMP loop2
loop1:
	TESTQ CX, CX
	JZ done
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
done:
	VZEROUPPER
	RET

// func copyRows16AVX(dst, src *float32, ld, k int)
// Copies k rows of 16 float32s, src rows ld elements apart, to dst
// contiguously.
TEXT ·copyRows16AVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	SHLQ $2, R8
	MOVQ k+24(FP), CX
	TESTQ CX, CX
	JZ done
loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ R8, SI
	ADDQ $64, DI
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET
