//go:build !purego

#include "textflag.h"

// tailmask holds eight all-ones lanes followed by eight zero lanes. Loading
// eight lanes at byte offset (8-r)*4 gives a VMASKMOVPS mask that selects the
// first r lanes.
DATA tailmask<>+0(SB)/4, $0xffffffff
DATA tailmask<>+4(SB)/4, $0xffffffff
DATA tailmask<>+8(SB)/4, $0xffffffff
DATA tailmask<>+12(SB)/4, $0xffffffff
DATA tailmask<>+16(SB)/4, $0xffffffff
DATA tailmask<>+20(SB)/4, $0xffffffff
DATA tailmask<>+24(SB)/4, $0xffffffff
DATA tailmask<>+28(SB)/4, $0xffffffff
DATA tailmask<>+32(SB)/4, $0
DATA tailmask<>+36(SB)/4, $0
DATA tailmask<>+40(SB)/4, $0
DATA tailmask<>+44(SB)/4, $0
DATA tailmask<>+48(SB)/4, $0
DATA tailmask<>+52(SB)/4, $0
DATA tailmask<>+56(SB)/4, $0
DATA tailmask<>+60(SB)/4, $0
GLOBL tailmask<>(SB), RODATA|NOPTR, $64

// func dotAVX2(a, b []float32) float32
//
// Four 8-lane accumulators over 32 elements per iteration, then one 8-lane
// step at a time, a 4-lane step and a scalar tail of at most three elements.
// The caller guarantees len(b) >= len(a).
TEXT ·dotAVX2(SB), NOSPLIT, $0-52
	MOVQ   a_base+0(FP), SI
	MOVQ   a_len+8(FP), CX
	MOVQ   b_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ   CX, $32
	JLT    loop8

loop32:
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         loop32

loop8:
	CMPQ        CX, $8
	JLT         reduce
	VMOVUPS     (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         loop8

reduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	CMPQ         CX, $4
	JLT          hsum
	VMOVUPS      (SI), X4
	VFMADD231PS  (DI), X4, X0
	ADDQ         $16, SI
	ADDQ         $16, DI
	SUBQ         $4, CX

hsum:
	VMOVHLPS  X0, X0, X1
	VADDPS    X1, X0, X0
	VMOVSHDUP X0, X1
	VADDSS    X1, X0, X0
	TESTQ     CX, CX
	JEQ       done

tail:
	VMOVSS      (SI), X4
	VFMADD231SS (DI), X4, X0
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JNE         tail

done:
	VZEROUPPER
	VMOVSS X0, ret+48(FP)
	RET

// func l2sqAVX2(a, b []float32) float32
//
// Same shape as dotAVX2 with d = a-b and d*d accumulated.
// The caller guarantees len(b) >= len(a).
TEXT ·l2sqAVX2(SB), NOSPLIT, $0-52
	MOVQ   a_base+0(FP), SI
	MOVQ   a_len+8(FP), CX
	MOVQ   b_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ   CX, $32
	JLT    loop8

loop32:
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VSUBPS      (DI), Y4, Y4
	VSUBPS      32(DI), Y5, Y5
	VSUBPS      64(DI), Y6, Y6
	VSUBPS      96(DI), Y7, Y7
	VFMADD231PS Y4, Y4, Y0
	VFMADD231PS Y5, Y5, Y1
	VFMADD231PS Y6, Y6, Y2
	VFMADD231PS Y7, Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         loop32

loop8:
	CMPQ        CX, $8
	JLT         reduce
	VMOVUPS     (SI), Y4
	VSUBPS      (DI), Y4, Y4
	VFMADD231PS Y4, Y4, Y0
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         loop8

reduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	CMPQ         CX, $4
	JLT          hsum
	VMOVUPS      (SI), X4
	VSUBPS       (DI), X4, X4
	VFMADD231PS  X4, X4, X0
	ADDQ         $16, SI
	ADDQ         $16, DI
	SUBQ         $4, CX

hsum:
	VMOVHLPS  X0, X0, X1
	VADDPS    X1, X0, X0
	VMOVSHDUP X0, X1
	VADDSS    X1, X0, X0
	TESTQ     CX, CX
	JEQ       done

tail:
	VMOVSS      (SI), X4
	VSUBSS      (DI), X4, X4
	VFMADD231SS X4, X4, X0
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JNE         tail

done:
	VZEROUPPER
	VMOVSS X0, ret+48(FP)
	RET

// func axpyAVX2(alpha float32, x, y []float32)
//
// y += alpha*x, 32 elements per iteration, then 8, 4 and a scalar tail.
// The caller guarantees len(y) >= len(x).
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	CMPQ         CX, $32
	JLT          loop8

loop32:
	VMOVUPS     (DI), Y1
	VMOVUPS     32(DI), Y2
	VMOVUPS     64(DI), Y3
	VMOVUPS     96(DI), Y4
	VFMADD231PS (SI), Y0, Y1
	VFMADD231PS 32(SI), Y0, Y2
	VFMADD231PS 64(SI), Y0, Y3
	VFMADD231PS 96(SI), Y0, Y4
	VMOVUPS     Y1, (DI)
	VMOVUPS     Y2, 32(DI)
	VMOVUPS     Y3, 64(DI)
	VMOVUPS     Y4, 96(DI)
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	CMPQ        CX, $32
	JGE         loop32

loop8:
	CMPQ        CX, $8
	JLT         tail4
	VMOVUPS     (DI), Y1
	VFMADD231PS (SI), Y0, Y1
	VMOVUPS     Y1, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         loop8

tail4:
	CMPQ        CX, $4
	JLT         tail1
	VMOVUPS     (DI), X1
	VFMADD231PS (SI), X0, X1
	VMOVUPS     X1, (DI)
	ADDQ        $16, SI
	ADDQ        $16, DI
	SUBQ        $4, CX

tail1:
	TESTQ CX, CX
	JEQ   done

tail:
	VMOVSS      (DI), X1
	VFMADD231SS (SI), X0, X1
	VMOVSS      X1, (DI)
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JNE         tail

done:
	VZEROUPPER
	RET

// func dotBatchAVX2(q, data, out []float32)
//
// out[i] = q · data[i*dim:(i+1)*dim] with dim = len(q). Rows are scored four
// at a time: each 8-lane load of q feeds four FMAs, one per row, and every row
// has two accumulators (eight in all) so that the FMA latency is hidden. The
// last dim%8 elements are read with VMASKMOVPS, which never touches memory
// outside the selected lanes; leftover rows (len(out)%4) use the same scheme
// one row at a time. The caller guarantees len(data) >= len(out)*len(q).
//
// Registers: SI q, BX row stride in bytes (= dim*4), R8-R11 the four rows,
// DI out, CX rows left, AX byte offset in the row, R12 end of the 16-element
// loop, R13 end of the 8-element steps, Y15 the tail mask.
TEXT ·dotBatchAVX2(SB), NOSPLIT, $0-72
	MOVQ q_base+0(FP), SI
	MOVQ q_len+8(FP), BX
	MOVQ data_base+24(FP), R8
	MOVQ out_base+48(FP), DI
	MOVQ out_len+56(FP), CX

	// Y15 = mask of the first dim%8 lanes.
	MOVQ    BX, AX
	ANDQ    $7, AX
	MOVQ    $8, DX
	SUBQ    AX, DX
	LEAQ    tailmask<>(SB), AX
	VMOVUPS (AX)(DX*4), Y15

	MOVQ BX, R12
	ANDQ $-16, R12
	SHLQ $2, R12
	MOVQ BX, R13
	ANDQ $-8, R13
	SHLQ $2, R13
	SHLQ $2, BX

	CMPQ CX, $4
	JLT  rows1

block4:
	LEAQ   (R8)(BX*1), R9
	LEAQ   (R9)(BX*1), R10
	LEAQ   (R10)(BX*1), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   AX, AX
	CMPQ   R12, $0
	JEQ    b4step8

b4loop16:
	VMOVUPS     (SI)(AX*1), Y8
	VMOVUPS     32(SI)(AX*1), Y9
	VFMADD231PS (R8)(AX*1), Y8, Y0
	VFMADD231PS (R9)(AX*1), Y8, Y1
	VFMADD231PS (R10)(AX*1), Y8, Y2
	VFMADD231PS (R11)(AX*1), Y8, Y3
	VFMADD231PS 32(R8)(AX*1), Y9, Y4
	VFMADD231PS 32(R9)(AX*1), Y9, Y5
	VFMADD231PS 32(R10)(AX*1), Y9, Y6
	VFMADD231PS 32(R11)(AX*1), Y9, Y7
	ADDQ        $64, AX
	CMPQ        AX, R12
	JLT         b4loop16

b4step8:
	CMPQ        AX, R13
	JGE         b4mask
	VMOVUPS     (SI)(AX*1), Y8
	VFMADD231PS (R8)(AX*1), Y8, Y0
	VFMADD231PS (R9)(AX*1), Y8, Y1
	VFMADD231PS (R10)(AX*1), Y8, Y2
	VFMADD231PS (R11)(AX*1), Y8, Y3
	ADDQ        $32, AX

b4mask:
	CMPQ        AX, BX
	JGE         b4reduce
	VMASKMOVPS  (SI)(AX*1), Y15, Y8
	VMASKMOVPS  (R8)(AX*1), Y15, Y9
	VMASKMOVPS  (R9)(AX*1), Y15, Y10
	VMASKMOVPS  (R10)(AX*1), Y15, Y11
	VMASKMOVPS  (R11)(AX*1), Y15, Y12
	VFMADD231PS Y9, Y8, Y4
	VFMADD231PS Y10, Y8, Y5
	VFMADD231PS Y11, Y8, Y6
	VFMADD231PS Y12, Y8, Y7

b4reduce:
	VADDPS       Y4, Y0, Y0
	VADDPS       Y5, Y1, Y1
	VADDPS       Y6, Y2, Y2
	VADDPS       Y7, Y3, Y3
	VHADDPS      Y1, Y0, Y0 // a01 a23 b01 b23 | a45 a67 b45 b67
	VHADDPS      Y3, Y2, Y2 // c01 c23 d01 d23 | c45 c67 d45 d67
	VHADDPS      Y2, Y0, Y0 // a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVUPS      X0, (DI)
	ADDQ         $16, DI
	LEAQ         (R11)(BX*1), R8
	SUBQ         $4, CX
	CMPQ         CX, $4
	JGE          block4

rows1:
	TESTQ CX, CX
	JEQ   done

row1:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	XORQ   AX, AX
	CMPQ   R12, $0
	JEQ    r1step8

r1loop16:
	VMOVUPS     (SI)(AX*1), Y8
	VMOVUPS     32(SI)(AX*1), Y9
	VFMADD231PS (R8)(AX*1), Y8, Y0
	VFMADD231PS 32(R8)(AX*1), Y9, Y1
	ADDQ        $64, AX
	CMPQ        AX, R12
	JLT         r1loop16

r1step8:
	CMPQ        AX, R13
	JGE         r1mask
	VMOVUPS     (SI)(AX*1), Y8
	VFMADD231PS (R8)(AX*1), Y8, Y0
	ADDQ        $32, AX

r1mask:
	CMPQ        AX, BX
	JGE         r1reduce
	VMASKMOVPS  (SI)(AX*1), Y15, Y8
	VMASKMOVPS  (R8)(AX*1), Y15, Y9
	VFMADD231PS Y9, Y8, Y1

r1reduce:
	// The same addition tree as b4reduce, so that a row's score does not
	// depend on whether it was scored in a group of four or alone.
	VADDPS       Y1, Y0, Y0
	VHADDPS      Y0, Y0, Y0
	VHADDPS      Y0, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVSS       X0, (DI)
	ADDQ         $4, DI
	ADDQ         BX, R8
	DECQ         CX
	JNE          row1

done:
	VZEROUPPER
	RET

// func dotTile4x3AVX2(qs, rows, out *float32, nq4, nr3, dim, ldo int)
//
// out[i*ldo+j] = q_i · r_j for i < 4*nq4 and j < 3*nr3, where q_i starts at
// qs[i*dim] and r_j at rows[j*dim]. One tile is 4 queries × 3 rows: twelve
// 8-lane accumulators (Y0-Y11, Y(3i+j) for query i and row j), the three
// rows' chunks in Y12-Y14 and each query's chunk in turn in Y15, so every
// eight elements take 7 loads for 12 FMAs and the loop is bound by the FMA
// ports rather than by the loads. The last dim%8 elements are read with
// VMASKMOVPS (mask kept in a local, as all 16 registers are taken). The outer
// loop walks the row triples, the inner one the query quads, so the three
// rows stay in L1 while the queries are swept. All counts are positive.
//
// Registers: R8-R11 the four queries, SI DI BX the three rows, AX byte
// offset in a vector, R12 end of the 8-lane loop, R13 vector stride in bytes,
// DX out of the tile, CX quads left, R14 triples left.
TEXT ·dotTile4x3AVX2(SB), NOSPLIT, $56-56
	MOVQ dim+40(FP), R13
	MOVQ R13, AX
	ANDQ $7, AX
	MOVQ $8, DX
	SUBQ AX, DX
	LEAQ tailmask<>(SB), AX
	VMOVUPS (AX)(DX*4), Y15
	VMOVUPS Y15, mask-32(SP)
	MOVQ R13, R12
	ANDQ $-8, R12
	SHLQ $2, R12
	SHLQ $2, R13
	MOVQ ldo+48(FP), AX
	SHLQ $2, AX
	MOVQ AX, ldob-40(SP)
	MOVQ out+16(FP), DX
	MOVQ DX, outcol-48(SP)
	MOVQ rows+8(FP), SI
	MOVQ nr3+32(FP), AX
	MOVQ AX, triples-56(SP)

triple:
	LEAQ (SI)(R13*1), DI
	LEAQ (DI)(R13*1), BX
	MOVQ qs+0(FP), R8
	MOVQ outcol-48(SP), DX
	MOVQ nq4+24(FP), CX

quad:
	LEAQ   (R8)(R13*1), R9
	LEAQ   (R9)(R13*1), R10
	LEAQ   (R10)(R13*1), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	XORQ   AX, AX
	CMPQ   R12, $0
	JEQ    tail

loop8:
	VMOVUPS     (SI)(AX*1), Y12
	VMOVUPS     (DI)(AX*1), Y13
	VMOVUPS     (BX)(AX*1), Y14
	VMOVUPS     (R8)(AX*1), Y15
	VFMADD231PS Y12, Y15, Y0
	VFMADD231PS Y13, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VMOVUPS     (R9)(AX*1), Y15
	VFMADD231PS Y12, Y15, Y3
	VFMADD231PS Y13, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VMOVUPS     (R10)(AX*1), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VMOVUPS     (R11)(AX*1), Y15
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	ADDQ        $32, AX
	CMPQ        AX, R12
	JLT         loop8

tail:
	CMPQ        AX, R13
	JGE         reduce
	VMOVUPS     mask-32(SP), Y15
	VMASKMOVPS  (SI)(AX*1), Y15, Y12
	VMASKMOVPS  (R8)(AX*1), Y15, Y13
	VMASKMOVPS  (R9)(AX*1), Y15, Y14
	VFMADD231PS Y12, Y13, Y0
	VFMADD231PS Y12, Y14, Y3
	VMASKMOVPS  (R10)(AX*1), Y15, Y13
	VMASKMOVPS  (R11)(AX*1), Y15, Y14
	VFMADD231PS Y12, Y13, Y6
	VFMADD231PS Y12, Y14, Y9
	VMASKMOVPS  (DI)(AX*1), Y15, Y12
	VMASKMOVPS  (R8)(AX*1), Y15, Y13
	VMASKMOVPS  (R9)(AX*1), Y15, Y14
	VFMADD231PS Y12, Y13, Y1
	VFMADD231PS Y12, Y14, Y4
	VMASKMOVPS  (R10)(AX*1), Y15, Y13
	VMASKMOVPS  (R11)(AX*1), Y15, Y14
	VFMADD231PS Y12, Y13, Y7
	VFMADD231PS Y12, Y14, Y10
	VMASKMOVPS  (BX)(AX*1), Y15, Y12
	VMASKMOVPS  (R8)(AX*1), Y15, Y13
	VMASKMOVPS  (R9)(AX*1), Y15, Y14
	VFMADD231PS Y12, Y13, Y2
	VFMADD231PS Y12, Y14, Y5
	VMASKMOVPS  (R10)(AX*1), Y15, Y13
	VMASKMOVPS  (R11)(AX*1), Y15, Y14
	VFMADD231PS Y12, Y13, Y8
	VFMADD231PS Y12, Y14, Y11

reduce:
	// Four accumulators at a time become four sums in an X register:
	// X0 = q0r0 q0r1 q0r2 q1r0, X4 = q1r1 q1r2 q2r0 q2r1,
	// X8 = q2r2 q3r0 q3r1 q3r2.
	VHADDPS      Y1, Y0, Y0
	VHADDPS      Y3, Y2, Y2
	VHADDPS      Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      Y5, Y4, Y4
	VHADDPS      Y7, Y6, Y6
	VHADDPS      Y6, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VADDPS       X5, X4, X4
	VHADDPS      Y9, Y8, Y8
	VHADDPS      Y11, Y10, Y10
	VHADDPS      Y10, Y8, Y8
	VEXTRACTF128 $1, Y8, X9
	VADDPS       X9, X8, X8
	MOVQ         ldob-40(SP), AX
	VMOVLPS      X0, (DX)
	VEXTRACTPS   $2, X0, 8(DX)
	VEXTRACTPS   $3, X0, (DX)(AX*1)
	VMOVLPS      X4, 4(DX)(AX*1)
	VMOVHPS      X4, (DX)(AX*2)
	VMOVSS       X8, 8(DX)(AX*2)
	LEAQ         (DX)(AX*2), R14
	VEXTRACTPS   $1, X8, (R14)(AX*1)
	VEXTRACTPS   $2, X8, 4(R14)(AX*1)
	VEXTRACTPS   $3, X8, 8(R14)(AX*1)
	LEAQ         (DX)(AX*4), DX
	LEAQ         (R11)(R13*1), R8
	DECQ         CX
	JNE          quad

	ADDQ $12, outcol-48(SP)
	LEAQ (BX)(R13*1), SI
	DECQ triples-56(SP)
	JNE  triple

	VZEROUPPER
	RET

// func dotTile4x4AVX512(qs, rows, out *float32, nq4, nr4, dim, ldo int)
//
// dotTile4x3AVX2 with 16-lane ZMM registers and 4-row tiles: sixteen
// accumulators (Z0-Z15, Z(4i+j) for query i and row j), the rows' chunks in
// Z16-Z19 and the queries' in Z20-Z23, so every 16 elements take 8 loads for
// 16 FMAs. The last dim%16 elements are loaded under the mask K1 with zeroing
// (masked-off lanes are not read, so nothing past a vector is touched). Each
// accumulator is folded to 8 lanes with VEXTRACTF64X4 and the rest of the
// reduction is the AVX2 one; the four sums of a query are contiguous in out.
//
// Registers: R8-R11 the four queries, SI DI BX R14 the four rows, AX byte
// offset in a vector, R12 end of the 16-lane loop, R13 vector stride in bytes,
// DX out of the tile, CX quads left.
TEXT ·dotTile4x4AVX512(SB), NOSPLIT, $24-56
	MOVQ  dim+40(FP), R13
	MOVQ  R13, CX
	ANDQ  $15, CX
	MOVL  $1, AX
	SHLL  CX, AX
	DECL  AX
	KMOVW AX, K1
	MOVQ  R13, R12
	ANDQ  $-16, R12
	SHLQ  $2, R12
	SHLQ  $2, R13
	MOVQ  ldo+48(FP), AX
	SHLQ  $2, AX
	MOVQ  AX, ldob-8(SP)
	MOVQ  out+16(FP), DX
	MOVQ  DX, outcol-16(SP)
	MOVQ  rows+8(FP), SI
	MOVQ  nr4+32(FP), AX
	MOVQ  AX, tiles-24(SP)

rows4:
	LEAQ (SI)(R13*1), DI
	LEAQ (DI)(R13*1), BX
	LEAQ (BX)(R13*1), R14
	MOVQ qs+0(FP), R8
	MOVQ outcol-16(SP), DX
	MOVQ nq4+24(FP), CX

quad:
	LEAQ   (R8)(R13*1), R9
	LEAQ   (R9)(R13*1), R10
	LEAQ   (R10)(R13*1), R11
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	XORQ   AX, AX
	CMPQ   R12, $0
	JEQ    tail

loop16:
	VMOVUPS     (SI)(AX*1), Z16
	VMOVUPS     (DI)(AX*1), Z17
	VMOVUPS     (BX)(AX*1), Z18
	VMOVUPS     (R14)(AX*1), Z19
	VMOVUPS     (R8)(AX*1), Z20
	VFMADD231PS Z16, Z20, Z0
	VFMADD231PS Z17, Z20, Z4
	VFMADD231PS Z18, Z20, Z8
	VFMADD231PS Z19, Z20, Z12
	VMOVUPS     (R9)(AX*1), Z21
	VFMADD231PS Z16, Z21, Z1
	VFMADD231PS Z17, Z21, Z5
	VFMADD231PS Z18, Z21, Z9
	VFMADD231PS Z19, Z21, Z13
	VMOVUPS     (R10)(AX*1), Z22
	VFMADD231PS Z16, Z22, Z2
	VFMADD231PS Z17, Z22, Z6
	VFMADD231PS Z18, Z22, Z10
	VFMADD231PS Z19, Z22, Z14
	VMOVUPS     (R11)(AX*1), Z23
	VFMADD231PS Z16, Z23, Z3
	VFMADD231PS Z17, Z23, Z7
	VFMADD231PS Z18, Z23, Z11
	VFMADD231PS Z19, Z23, Z15
	ADDQ        $64, AX
	CMPQ        AX, R12
	JLT         loop16

tail:
	CMPQ        AX, R13
	JGE         reduce
	VMOVUPS.Z   (SI)(AX*1), K1, Z16
	VMOVUPS.Z   (DI)(AX*1), K1, Z17
	VMOVUPS.Z   (BX)(AX*1), K1, Z18
	VMOVUPS.Z   (R14)(AX*1), K1, Z19
	VMOVUPS.Z   (R8)(AX*1), K1, Z20
	VFMADD231PS Z16, Z20, Z0
	VFMADD231PS Z17, Z20, Z4
	VFMADD231PS Z18, Z20, Z8
	VFMADD231PS Z19, Z20, Z12
	VMOVUPS.Z   (R9)(AX*1), K1, Z21
	VFMADD231PS Z16, Z21, Z1
	VFMADD231PS Z17, Z21, Z5
	VFMADD231PS Z18, Z21, Z9
	VFMADD231PS Z19, Z21, Z13
	VMOVUPS.Z   (R10)(AX*1), K1, Z22
	VFMADD231PS Z16, Z22, Z2
	VFMADD231PS Z17, Z22, Z6
	VFMADD231PS Z18, Z22, Z10
	VFMADD231PS Z19, Z22, Z14
	VMOVUPS.Z   (R11)(AX*1), K1, Z23
	VFMADD231PS Z16, Z23, Z3
	VFMADD231PS Z17, Z23, Z7
	VFMADD231PS Z18, Z23, Z11
	VFMADD231PS Z19, Z23, Z15

reduce:
	// A tree of two-input shuffles and adds folds the sixteen accumulators
	// into Z12, whose 128-bit lane i holds the four sums of query i.
	// Z(2p), Z(2p+1) -> Z(16+p): 256-bit halves of both, added.
	VSHUFF32X4 $0x44, Z1, Z0, Z16
	VSHUFF32X4 $0xEE, Z1, Z0, Z24
	VSHUFF32X4 $0x44, Z3, Z2, Z17
	VSHUFF32X4 $0xEE, Z3, Z2, Z25
	VSHUFF32X4 $0x44, Z5, Z4, Z18
	VSHUFF32X4 $0xEE, Z5, Z4, Z26
	VSHUFF32X4 $0x44, Z7, Z6, Z19
	VSHUFF32X4 $0xEE, Z7, Z6, Z27
	VSHUFF32X4 $0x44, Z9, Z8, Z20
	VSHUFF32X4 $0xEE, Z9, Z8, Z28
	VSHUFF32X4 $0x44, Z11, Z10, Z21
	VSHUFF32X4 $0xEE, Z11, Z10, Z29
	VSHUFF32X4 $0x44, Z13, Z12, Z22
	VSHUFF32X4 $0xEE, Z13, Z12, Z30
	VSHUFF32X4 $0x44, Z15, Z14, Z23
	VSHUFF32X4 $0xEE, Z15, Z14, Z31
	VADDPS     Z24, Z16, Z16
	VADDPS     Z25, Z17, Z17
	VADDPS     Z26, Z18, Z18
	VADDPS     Z27, Z19, Z19
	VADDPS     Z28, Z20, Z20
	VADDPS     Z29, Z21, Z21
	VADDPS     Z30, Z22, Z22
	VADDPS     Z31, Z23, Z23
	// Z(16+2m), Z(17+2m) -> Z(m): lane j holds accumulator 4m+j folded to 4.
	VSHUFF32X4 $0x88, Z17, Z16, Z0
	VSHUFF32X4 $0xDD, Z17, Z16, Z4
	VSHUFF32X4 $0x88, Z19, Z18, Z1
	VSHUFF32X4 $0xDD, Z19, Z18, Z5
	VSHUFF32X4 $0x88, Z21, Z20, Z2
	VSHUFF32X4 $0xDD, Z21, Z20, Z6
	VSHUFF32X4 $0x88, Z23, Z22, Z3
	VSHUFF32X4 $0xDD, Z23, Z22, Z7
	VADDPS     Z4, Z0, Z0
	VADDPS     Z5, Z1, Z1
	VADDPS     Z6, Z2, Z2
	VADDPS     Z7, Z3, Z3
	// Z0, Z1 -> Z8 and Z2, Z3 -> Z10: pairs within each lane.
	VSHUFPS    $0x44, Z1, Z0, Z8
	VSHUFPS    $0xEE, Z1, Z0, Z9
	VSHUFPS    $0x44, Z3, Z2, Z10
	VSHUFPS    $0xEE, Z3, Z2, Z11
	VADDPS     Z9, Z8, Z8
	VADDPS     Z11, Z10, Z10
	VSHUFPS    $0x88, Z10, Z8, Z12
	VSHUFPS    $0xDD, Z10, Z8, Z13
	VADDPS     Z13, Z12, Z12
	MOVQ          ldob-8(SP), AX
	VMOVUPS       X12, (DX)
	VEXTRACTF32X4 $1, Z12, (DX)(AX*1)
	VEXTRACTF32X4 $2, Z12, (DX)(AX*2)
	ADDQ          AX, DX
	VEXTRACTF32X4 $3, Z12, (DX)(AX*2)
	LEAQ          (DX)(AX*2), DX
	ADDQ          AX, DX
	LEAQ          (R11)(R13*1), R8
	DECQ          CX
	JNE           quad

	ADDQ $16, outcol-16(SP)
	LEAQ (R14)(R13*1), SI
	DECQ tiles-24(SP)
	JNE  rows4

	VZEROUPPER
	RET

// func indexAtLeast16AVX2(x *float32, n int, t float32) int
//
// The index of the first of the n values at x (n a positive multiple of 16)
// that is >= t, or n. Sixteen values per iteration: two VCMPPS with the
// predicate LE_OS (t <= x, false for NaN) ORed into one VMOVMSKPS test; on a
// hit the first set bit gives the index.
TEXT ·indexAtLeast16AVX2(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS t+16(FP), Y0
	XORQ         AX, AX

scan16:
	VCMPPS    $2, (SI)(AX*4), Y0, Y1
	VCMPPS    $2, 32(SI)(AX*4), Y0, Y2
	VORPS     Y1, Y2, Y3
	VMOVMSKPS Y3, BX
	TESTL     BX, BX
	JNE       hit
	ADDQ      $16, AX
	CMPQ      AX, CX
	JLT       scan16
	JMP       done

hit:
	VMOVMSKPS Y1, BX
	TESTL     BX, BX
	JNE       first
	VMOVMSKPS Y2, BX
	ADDQ      $8, AX

first:
	BSFL BX, BX
	ADDQ BX, AX

done:
	VZEROUPPER
	MOVQ AX, ret+24(FP)
	RET
