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

// func dotInt8VNNI(a, b []int8) int32
//
// dotInt8AVX2 with AVX-512: VPMOVSXBW widens 32 codes into a ZMM register
// of int16 and one VPDPWSSD (AVX512_VNNI) multiplies, pairs and
// accumulates them into 16 int32 lanes, 64 codes per iteration in two
// accumulators. The last len%32 codes are read with a K-masked VPMOVSXBW,
// which neither reads nor faults past the slice, so there is no scalar
// tail. The caller guarantees len(b) >= len(a).
TEXT ·dotInt8VNNI(SB), NOSPLIT, $0-52
	MOVQ   a_base+0(FP), SI
	MOVQ   a_len+8(FP), CX
	MOVQ   b_base+24(FP), DI
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	CMPQ   CX, $64
	JLT    step32

vloop64:
	VPMOVSXBW (SI), Z2
	VPMOVSXBW (DI), Z3
	VPDPWSSD  Z2, Z3, Z0
	VPMOVSXBW 32(SI), Z4
	VPMOVSXBW 32(DI), Z5
	VPDPWSSD  Z4, Z5, Z1
	ADDQ      $64, SI
	ADDQ      $64, DI
	SUBQ      $64, CX
	CMPQ      CX, $64
	JGE       vloop64

step32:
	CMPQ      CX, $32
	JLT       masked
	VPMOVSXBW (SI), Z2
	VPMOVSXBW (DI), Z3
	VPDPWSSD  Z2, Z3, Z0
	ADDQ      $32, SI
	ADDQ      $32, DI
	SUBQ      $32, CX

masked:
	TESTQ     CX, CX
	JZ        vreduce
	MOVQ      $1, AX
	SHLQ      CX, AX
	DECQ      AX          // the low CX bits
	KMOVD     AX, K1
	VPMOVSXBW.Z (SI), K1, Z2 // zeroing: lanes past the tail are 0
	VPMOVSXBW.Z (DI), K1, Z3
	VPDPWSSD  Z2, Z3, Z1

vreduce:
	VPADDD        Z1, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPADDD        Y1, Y0, Y0
	VEXTRACTI128  $1, Y0, X1
	VPADDD        X1, X0, X0
	VPSHUFD       $0x4e, X0, X1
	VPADDD        X1, X0, X0
	VPSHUFD       $0xb1, X0, X1
	VPADDD        X1, X0, X0
	VMOVD         X0, AX
	VZEROUPPER
	MOVL          AX, ret+48(FP)
	RET

// func dotInt8RowsVNNI(q, codes []int8, rows []uint32, out []int32)
//
// dotInt8VNNI once per row: for the i-th row r, the codes at
// codes + r*len(q) against q, the int32 result stored in out[i]. The mask
// of the last len(q)%32 codes is the same for every row and set once. The
// caller guarantees len(out) >= len(rows) and every row inside codes.
TEXT ·dotInt8RowsVNNI(SB), NOSPLIT, $0-96
	MOVQ  q_base+0(FP), R8
	MOVQ  q_len+8(FP), R9
	MOVQ  codes_base+24(FP), R10
	MOVQ  rows_base+48(FP), R11
	MOVQ  rows_len+56(FP), R12
	MOVQ  out_base+72(FP), R13
	TESTQ R12, R12
	JZ    rdone
	MOVQ  R9, CX
	ANDQ  $31, CX
	MOVQ  $1, AX
	SHLQ  CX, AX
	DECQ  AX      // the low len(q)%32 bits
	KMOVD AX, K1

rrow:
	MOVLQZX (R11), DI
	IMULQ   R9, DI
	ADDQ    R10, DI // the row's codes
	MOVQ    R8, SI
	MOVQ    R9, CX
	VPXORD  Z0, Z0, Z0
	VPXORD  Z1, Z1, Z1
	CMPQ    CX, $64
	JLT     rstep32

rloop64:
	VPMOVSXBW (SI), Z2
	VPMOVSXBW (DI), Z3
	VPDPWSSD  Z2, Z3, Z0
	VPMOVSXBW 32(SI), Z4
	VPMOVSXBW 32(DI), Z5
	VPDPWSSD  Z4, Z5, Z1
	ADDQ      $64, SI
	ADDQ      $64, DI
	SUBQ      $64, CX
	CMPQ      CX, $64
	JGE       rloop64

rstep32:
	CMPQ      CX, $32
	JLT       rmasked
	VPMOVSXBW (SI), Z2
	VPMOVSXBW (DI), Z3
	VPDPWSSD  Z2, Z3, Z0
	ADDQ      $32, SI
	ADDQ      $32, DI
	SUBQ      $32, CX

rmasked:
	TESTQ       CX, CX
	JZ          rreduce
	VPMOVSXBW.Z (SI), K1, Z2
	VPMOVSXBW.Z (DI), K1, Z3
	VPDPWSSD    Z2, Z3, Z1

rreduce:
	VPADDD        Z1, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPADDD        Y1, Y0, Y0
	VEXTRACTI128  $1, Y0, X1
	VPADDD        X1, X0, X0
	VPSHUFD       $0x4e, X0, X1
	VPADDD        X1, X0, X0
	VPSHUFD       $0xb1, X0, X1
	VPADDD        X1, X0, X0
	VMOVD         X0, (R13)
	ADDQ          $4, R13
	ADDQ          $4, R11
	DECQ          R12
	JNZ           rrow
	VZEROUPPER

rdone:
	RET

// func dotInt8RowsAVX2(q, codes []int8, rows []uint32, out []int32)
//
// dotInt8AVX2 once per row, as dotInt8RowsVNNI. The caller guarantees
// len(out) >= len(rows) and every row inside codes.
TEXT ·dotInt8RowsAVX2(SB), NOSPLIT, $0-96
	MOVQ  q_base+0(FP), R8
	MOVQ  q_len+8(FP), R9
	MOVQ  codes_base+24(FP), R10
	MOVQ  rows_base+48(FP), R11
	MOVQ  rows_len+56(FP), R12
	MOVQ  out_base+72(FP), R13
	TESTQ R12, R12
	JZ    adone

arow:
	MOVLQZX (R11), DI
	IMULQ   R9, DI
	ADDQ    R10, DI // the row's codes
	MOVQ    R8, SI
	MOVQ    R9, CX
	VPXOR   Y0, Y0, Y0
	VPXOR   Y1, Y1, Y1
	CMPQ    CX, $32
	JLT     astep16

aloop32:
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
	JGE       aloop32

astep16:
	CMPQ      CX, $16
	JLT       areduce
	VPMOVSXBW (SI), Y2
	VPMOVSXBW (DI), Y3
	VPMADDWD  Y2, Y3, Y3
	VPADDD    Y3, Y0, Y0
	ADDQ      $16, SI
	ADDQ      $16, DI
	SUBQ      $16, CX

areduce:
	VPADDD       Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPADDD       X1, X0, X0
	VMOVD        X0, AX
	TESTQ        CX, CX
	JZ           astore

atail:
	MOVBLSX (SI), DX
	MOVBLSX (DI), BX
	IMULL   BX, DX
	ADDL    DX, AX
	INCQ    SI
	INCQ    DI
	DECQ    CX
	JNZ     atail

astore:
	MOVL AX, (R13)
	ADDQ $4, R13
	ADDQ $4, R11
	DECQ R12
	JNZ  arow
	VZEROUPPER

adone:
	RET
