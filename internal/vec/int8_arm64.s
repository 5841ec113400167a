//go:build !purego

#include "textflag.h"

// The Go arm64 assembler lacks SMULL, SMULL2, SADALP and ADDV, so they are
// WORD encodings:
//   SMULL  Vd.8H, Vn.8B, Vm.8B   = 0x0E20C000 | m<<16 | n<<5 | d
//   SMULL2 Vd.8H, Vn.16B, Vm.16B = 0x4E20C000 | m<<16 | n<<5 | d
//   SADALP Vd.4S, Vn.8H          = 0x4E606800 | n<<5 | d
//   ADDV   Sd, Vn.4S             = 0x4EB1B800 | n<<5 | d

// func dotInt8NEON(a, b []int8) int32
//
// 16 codes per iteration: SMULL and SMULL2 multiply the low and high eight
// into int16 products (at most 128*128, no overflow), SADALP adds
// neighbouring products into four int32 accumulators (V4, V5). Then ADDV
// sums the lanes and a scalar loop takes the last len%16. Every addition
// wraps modulo 2^32 like the Go version's. The caller guarantees
// len(b) >= len(a).
TEXT ·dotInt8NEON(SB), NOSPLIT, $0-52
	MOVD a_base+0(FP), R0
	MOVD a_len+8(FP), R2
	MOVD b_base+24(FP), R1
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	CMP  $16, R2
	BLT  reduce

loop16:
	VLD1.P 16(R0), [V0.B16]
	VLD1.P 16(R1), [V1.B16]
	WORD   $0x0e21c002 // SMULL  V2.8H, V0.8B, V1.8B
	WORD   $0x4e21c003 // SMULL2 V3.8H, V0.16B, V1.16B
	WORD   $0x4e606844 // SADALP V4.4S, V2.8H
	WORD   $0x4e606865 // SADALP V5.4S, V3.8H
	SUB    $16, R2
	CMP    $16, R2
	BGE    loop16

reduce:
	VADD V5.S4, V4.S4, V4.S4
	WORD $0x4eb1b884 // ADDV S4, V4.4S
	FMOVS F4, R3
	CBZ  R2, done

tail:
	MOVB.P 1(R0), R4
	MOVB.P 1(R1), R5
	MADDW  R4, R3, R5, R3 // R3 += R4*R5
	SUB    $1, R2
	CBNZ   R2, tail

done:
	MOVW R3, ret+48(FP)
	RET
