//go:build !purego

#include "textflag.h"

// func prefetchRows(base unsafe.Pointer, stride, size uintptr, rows []uint32)
//
// For every row r: one PREFETCHT0 per 64-byte line from the line holding
// base + r*stride to the one holding its last byte, base + r*stride +
// size - 1. A prefetch never faults. The caller guarantees size > 0.
TEXT ·prefetchRows(SB), NOSPLIT, $0-48
	MOVQ base+0(FP), SI
	MOVQ stride+8(FP), R8
	MOVQ size+16(FP), R9
	MOVQ rows_base+24(FP), DI
	MOVQ rows_len+32(FP), CX
	TESTQ CX, CX
	JZ    done
	DECQ  R9 // offset of a row's last byte

row:
	MOVLQZX (DI), AX
	IMULQ   R8, AX
	ADDQ    SI, AX       // the row's first byte
	LEAQ    (AX)(R9*1), DX // its last byte
	ANDQ    $~63, AX

line:
	PREFETCHT0 (AX)
	ADDQ       $64, AX
	CMPQ       AX, DX
	JLS        line

	ADDQ $4, DI
	DECQ CX
	JNZ  row

done:
	RET
