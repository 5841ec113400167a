//go:build !purego

#include "textflag.h"

// The Go arm64 assembler has VFMLA but no vector FADD, FSUB or FADDP, so
// those are written as WORD encodings (Q=1, single precision):
//   FADD  Vd.4S, Vn.4S, Vm.4S = 0x4E20D400 | m<<16 | n<<5 | d
//   FSUB  Vd.4S, Vn.4S, Vm.4S = 0x4EA0D400 | m<<16 | n<<5 | d
//   FADDP Vd.4S, Vn.4S, Vm.4S = 0x6E20D400 | m<<16 | n<<5 | d
//   FADDP Sd, Vn.2S           = 0x7E30D800 | n<<5 | d

// REDUCE4 adds the four accumulators V0-V3 and then the four lanes of the
// sum, leaving the total in F0 (the rest of V0 is zeroed):
//   FADD  V0.4S, V0.4S, V1.4S
//   FADD  V2.4S, V2.4S, V3.4S
//   FADD  V0.4S, V0.4S, V2.4S
//   FADDP V0.4S, V0.4S, V0.4S
//   FADDP S0, V0.2S
#define REDUCE4 \
	WORD $0x4e21d400 \
	WORD $0x4e23d442 \
	WORD $0x4e22d400 \
	WORD $0x6e20d400 \
	WORD $0x7e30d800

// func dotNEON(a, b []float32) float32
//
// Four 4-lane FMLA accumulators over 16 elements per iteration, then 4-lane
// steps and a scalar tail of at most three. The caller guarantees
// len(b) >= len(a).
TEXT ·dotNEON(SB), NOSPLIT, $0-52
	MOVD a_base+0(FP), R0
	MOVD a_len+8(FP), R2
	MOVD b_base+24(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	CMP  $16, R2
	BLT  loop4

loop16:
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R1), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA  V16.S4, V4.S4, V0.S4
	VFMLA  V17.S4, V5.S4, V1.S4
	VFMLA  V18.S4, V6.S4, V2.S4
	VFMLA  V19.S4, V7.S4, V3.S4
	SUB    $16, R2
	CMP    $16, R2
	BGE    loop16

loop4:
	CMP    $4, R2
	BLT    reduce
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R1), [V16.S4]
	VFMLA  V16.S4, V4.S4, V0.S4
	SUB    $4, R2
	B      loop4

reduce:
	REDUCE4
	CBZ R2, done

tail:
	FMOVS.P 4(R0), F4
	FMOVS.P 4(R1), F5
	FMADDS  F5, F0, F4, F0 // F0 += F4*F5
	SUB     $1, R2
	CBNZ    R2, tail

done:
	FMOVS F0, ret+48(FP)
	RET

// func l2sqNEON(a, b []float32) float32
//
// Same shape as dotNEON with d = a-b and d*d accumulated.
// The caller guarantees len(b) >= len(a).
TEXT ·l2sqNEON(SB), NOSPLIT, $0-52
	MOVD a_base+0(FP), R0
	MOVD a_len+8(FP), R2
	MOVD b_base+24(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	CMP  $16, R2
	BLT  loop4

loop16:
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R1), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD   $0x4eb0d484 // FSUB V4.4S, V4.4S, V16.4S
	WORD   $0x4eb1d4a5 // FSUB V5.4S, V5.4S, V17.4S
	WORD   $0x4eb2d4c6 // FSUB V6.4S, V6.4S, V18.4S
	WORD   $0x4eb3d4e7 // FSUB V7.4S, V7.4S, V19.4S
	VFMLA  V4.S4, V4.S4, V0.S4
	VFMLA  V5.S4, V5.S4, V1.S4
	VFMLA  V6.S4, V6.S4, V2.S4
	VFMLA  V7.S4, V7.S4, V3.S4
	SUB    $16, R2
	CMP    $16, R2
	BGE    loop16

loop4:
	CMP    $4, R2
	BLT    reduce
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R1), [V16.S4]
	WORD   $0x4eb0d484 // FSUB V4.4S, V4.4S, V16.4S
	VFMLA  V4.S4, V4.S4, V0.S4
	SUB    $4, R2
	B      loop4

reduce:
	REDUCE4
	CBZ R2, done

tail:
	FMOVS.P 4(R0), F4
	FMOVS.P 4(R1), F5
	FSUBS   F5, F4, F4     // F4 -= F5
	FMADDS  F4, F0, F4, F0 // F0 += F4*F4
	SUB     $1, R2
	CBNZ    R2, tail

done:
	FMOVS F0, ret+48(FP)
	RET

// func axpyNEON(alpha float32, x, y []float32)
//
// y += alpha*x, 16 elements per iteration, then 4-lane steps and a scalar
// tail. The caller guarantees len(y) >= len(x).
TEXT ·axpyNEON(SB), NOSPLIT, $0-56
	MOVD  $alpha+0(FP), R3
	VLD1R (R3), [V0.S4]    // alpha in every lane; F0 is alpha too
	MOVD  x_base+8(FP), R0
	MOVD  x_len+16(FP), R2
	MOVD  y_base+32(FP), R1
	CMP   $16, R2
	BLT   loop4

loop16:
	VLD1   (R1), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLA  V4.S4, V0.S4, V16.S4
	VFMLA  V5.S4, V0.S4, V17.S4
	VFMLA  V6.S4, V0.S4, V18.S4
	VFMLA  V7.S4, V0.S4, V19.S4
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R1)
	SUB    $16, R2
	CMP    $16, R2
	BGE    loop16

loop4:
	CMP    $4, R2
	BLT    tail1
	VLD1   (R1), [V16.S4]
	VLD1.P 16(R0), [V4.S4]
	VFMLA  V4.S4, V0.S4, V16.S4
	VST1.P [V16.S4], 16(R1)
	SUB    $4, R2
	B      loop4

tail1:
	CBZ R2, done

tail:
	FMOVS   (R1), F17
	FMOVS.P 4(R0), F16
	FMADDS  F16, F17, F0, F17 // F17 += alpha*F16
	FMOVS.P F17, 4(R1)
	SUB     $1, R2
	CBNZ    R2, tail

done:
	RET
