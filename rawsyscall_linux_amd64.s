#include "textflag.h"

// func rawIO(trap uintptr, fd int, p unsafe.Pointer, n int, flags uintptr) (r int, err unix.Errno)
TEXT ·rawIO(SB),NOSPLIT,$0-56
	MOVQ	fd+8(FP), DI
	MOVQ	p+16(FP), SI
	MOVQ	n+24(FP), DX
	MOVQ	flags+32(FP), R10
	XORQ	R8, R8
	XORQ	R9, R9
	MOVQ	trap+0(FP), AX
	SYSCALL
	CMPQ	AX, $0xfffffffffffff001
	JLS	ok
	MOVQ	$-1, r+40(FP)
	NEGQ	AX
	MOVQ	AX, err+48(FP)
	RET
ok:
	MOVQ	AX, r+40(FP)
	MOVQ	$0, err+48(FP)
	RET
