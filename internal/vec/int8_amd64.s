//go:build !purego

#include "textflag.h"

// func dotInt8AVX2(a, b []int8) int32
//
// 32 codes per iteration: VPMOVSXBW widens 16 int8 to 16 int16, VPMADDWD
// multiplies them pairwise and adds neighbouring products into 8 int32
// lanes (at most 2*128*128, no overflow), VPADDD accumulates in two
// registers. Then one 16-code step, the horizontal sum and a scalar tail of
// at most 15. Every addition wraps modulo 2^32 like the Go version's. The
// caller guarantees len(b) >= len(a).
TEXT ·dotInt8AVX2(SB), NOSPLIT, $0-52
	MOVQ  a_base+0(FP), SI
	MOVQ  a_len+8(FP), CX
	MOVQ  b_base+24(FP), DI
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	CMPQ  CX, $32
	JLT   step16

loop32:
	VPMOVSXBW (SI), Y2
	VPMOVSXBW (DI), Y3
	VPMADDWD  Y2, Y3, Y3
	VPADDD    Y3, Y0, Y0
	VPMOVSXBW 16(SI), Y4
	VPMOVSXBW 16(DI), Y5
	VPMADDWD  Y4, Y5, Y5
	VPADDD    Y5, Y1, Y1
	ADDQ      $32, SI
	ADDQ      $32, DI
	SUBQ      $32, CX
	CMPQ      CX, $32
	JGE       loop32

step16:
	CMPQ      CX, $16
	JLT       reduce
	VPMOVSXBW (SI), Y2
	VPMOVSXBW (DI), Y3
	VPMADDWD  Y2, Y3, Y3
	VPADDD    Y3, Y0, Y0
	ADDQ      $16, SI
	ADDQ      $16, DI
	SUBQ      $16, CX

reduce:
	VPADDD       Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPADDD       X1, X0, X0
	VMOVD        X0, AX
	VZEROUPPER
	TESTQ        CX, CX
	JZ           done

tail:
	MOVBLSX (SI), DX
	MOVBLSX (DI), BX
	IMULL   BX, DX
	ADDL    DX, AX
	INCQ    SI
	INCQ    DI
	DECQ    CX
	JNZ     tail

done:
	MOVL AX, ret+48(FP)
	RET
