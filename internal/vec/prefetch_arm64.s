//go:build !purego

#include "textflag.h"

// func prefetchRows(base unsafe.Pointer, stride, size uintptr, rows []uint32)
//
// For every row r: one PRFM PLDL1KEEP per 64-byte line from the line
// holding base + r*stride to the one holding its last byte. A prefetch
// never faults. The caller guarantees size > 0.
TEXT ·prefetchRows(SB), NOSPLIT, $0-48
	MOVD base+0(FP), R0
	MOVD stride+8(FP), R1
	MOVD size+16(FP), R2
	MOVD rows_base+24(FP), R3
	MOVD rows_len+32(FP), R4
	CBZ  R4, done
	SUB  $1, R2, R2 // offset of a row's last byte

row:
	MOVWU.P 4(R3), R5
	MUL     R1, R5, R5
	ADD     R0, R5, R5 // the row's first byte
	ADD     R2, R5, R6 // its last byte
	AND     $~63, R5, R5

line:
	PRFM (R5), PLDL1KEEP
	ADD  $64, R5, R5
	CMP  R6, R5
	BLS  line

	SUB  $1, R4, R4
	CBNZ R4, row

done:
	RET
