//go:build amd64 && !purego

#include "textflag.h"

// The Winograd transforms of winograd.go (wgBTs, wgATs, wgGs), 8 lanes at
// a time with AVX2 and FMA. Each reads its input vectors at a stride and
// writes its output vectors at another, both in float32 elements, and
// processes n &^ 7 elements.

// BCAST sets Y register y to the float32 bits b in every lane.
#define BCAST(b, x, y) MOVL b, AX; VMOVD AX, x; VBROADCASTSS x, y

// STRIDES loads the arguments: the input base in SI and stride in bytes in
// R8 (3× in R10, 5× in R11), the output base in DI and stride in R9 (3× in
// R12, 5× in R13), the step count in CX.
#define STRIDES \
	MOVQ in+0(FP), SI; \
	MOVQ is+8(FP), R8; \
	MOVQ out+16(FP), DI; \
	MOVQ os+24(FP), R9; \
	MOVQ n+32(FP), CX; \
	SHLQ $2, R8; \
	SHLQ $2, R9; \
	LEAQ (R8)(R8*2), R10; \
	LEAQ (R8)(R8*4), R11; \
	LEAQ (R9)(R9*2), R12; \
	LEAQ (R9)(R9*4), R13; \
	SHRQ $3, CX

// func wgBTAVX(in *float32, is int, out *float32, os int, n int)
// out[k] = Σ_i Bᵀ[k][i] in[i], for six inputs and six outputs
TEXT ·wgBTAVX(SB), NOSPLIT, $0-40
	STRIDES
	JZ btdone
	BCAST($0x40800000, X8, Y8) // 4
	BCAST($0x40a00000, X9, Y9) // 5
btloop:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R10*1), Y3
	VMOVUPS (SI)(R8*4), Y4
	VMOVUPS (SI)(R11*1), Y5
	VMOVAPS Y4, Y6 // 4a0 - 5a2 + a4
	VFMADD231PS Y8, Y0, Y6
	VFNMADD231PS Y9, Y2, Y6
	VMOVUPS Y6, (DI)
	VMOVAPS Y4, Y6 // s = a4 - 4a2
	VFNMADD231PS Y8, Y2, Y6
	VMOVAPS Y3, Y7 // t = a3 - 4a1
	VFNMADD231PS Y8, Y1, Y7
	VADDPS Y7, Y6, Y10
	VMOVUPS Y10, (DI)(R9*1)
	VSUBPS Y7, Y6, Y10
	VMOVUPS Y10, (DI)(R9*2)
	VSUBPS Y2, Y4, Y6 // s = a4 - a2
	VSUBPS Y1, Y3, Y7 // t = 2(a3 - a1)
	VADDPS Y7, Y7, Y7
	VADDPS Y7, Y6, Y10
	VMOVUPS Y10, (DI)(R12*1)
	VSUBPS Y7, Y6, Y10
	VMOVUPS Y10, (DI)(R9*4)
	VMOVAPS Y5, Y6 // 4a1 - 5a3 + a5
	VFMADD231PS Y8, Y1, Y6
	VFNMADD231PS Y9, Y3, Y6
	VMOVUPS Y6, (DI)(R13*1)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ btloop
	VZEROUPPER
btdone:
	RET

// func wgATAVX(in *float32, is int, out *float32, os int, n int)
// out[k] = Σ_i Aᵀ[k][i] in[i], for six inputs and four outputs
TEXT ·wgATAVX(SB), NOSPLIT, $0-40
	STRIDES
	JZ atdone
	BCAST($0x40000000, X8, Y8)  // 2
	BCAST($0x40800000, X9, Y9)  // 4
	BCAST($0x41000000, X10, Y10) // 8
atloop:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R10*1), Y3
	VMOVUPS (SI)(R8*4), Y4
	VMOVUPS (SI)(R11*1), Y5
	VADDPS Y2, Y1, Y6  // s12
	VSUBPS Y2, Y1, Y7  // d12
	VADDPS Y4, Y3, Y11 // s34
	VSUBPS Y4, Y3, Y12 // d34
	VADDPS Y6, Y0, Y13 // a0 + s12 + s34
	VADDPS Y11, Y13, Y13
	VMOVUPS Y13, (DI)
	VMOVAPS Y7, Y13 // d12 + 2 d34
	VFMADD231PS Y8, Y12, Y13
	VMOVUPS Y13, (DI)(R9*1)
	VMOVAPS Y6, Y13 // s12 + 4 s34
	VFMADD231PS Y9, Y11, Y13
	VMOVUPS Y13, (DI)(R9*2)
	VADDPS Y5, Y7, Y13 // d12 + 8 d34 + a5
	VFMADD231PS Y10, Y12, Y13
	VMOVUPS Y13, (DI)(R12*1)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ atloop
	VZEROUPPER
atdone:
	RET

// func wgGAVX(in *float32, is int, out *float32, os int, n int)
// out[k] = Σ_i G[k][i] in[i], for three inputs and six outputs
TEXT ·wgGAVX(SB), NOSPLIT, $0-40
	STRIDES
	JZ gdone
	BCAST($0x3e800000, X8, Y8)   // 1/4
	BCAST($0xbe2aaaab, X9, Y9)   // -1/6
	BCAST($0x3d2aaaab, X10, Y10) // 1/24
	BCAST($0x3daaaaab, X11, Y11) // 1/12
	BCAST($0x3e2aaaab, X12, Y12) // 1/6
gloop:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMULPS Y8, Y0, Y3 // a0/4
	VMOVUPS Y3, (DI)
	VADDPS Y2, Y0, Y4 // s = a0 + a2
	VADDPS Y1, Y4, Y5 // -(s + a1)/6
	VMULPS Y9, Y5, Y5
	VMOVUPS Y5, (DI)(R9*1)
	VSUBPS Y1, Y4, Y5 // -(s - a1)/6
	VMULPS Y9, Y5, Y5
	VMOVUPS Y5, (DI)(R9*2)
	VMULPS Y10, Y0, Y4 // s = a0/24 + a2/6
	VFMADD231PS Y12, Y2, Y4
	VMOVAPS Y4, Y5 // s + a1/12
	VFMADD231PS Y11, Y1, Y5
	VMOVUPS Y5, (DI)(R12*1)
	VFNMADD231PS Y11, Y1, Y4 // s - a1/12
	VMOVUPS Y4, (DI)(R9*4)
	VMOVUPS Y2, (DI)(R13*1)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ gloop
	VZEROUPPER
gdone:
	RET

// func wgAAVX(in *float32, is int, out *float32, os int, n int)
// out[k] = Σ_i A[k][i] in[i], for four inputs and six outputs
TEXT ·wgAAVX(SB), NOSPLIT, $0-40
	STRIDES
	JZ adone
	BCAST($0x40000000, X8, Y8)  // 2
	BCAST($0x40800000, X9, Y9)  // 4
	BCAST($0x41000000, X10, Y10) // 8
aloop:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R10*1), Y3
	VMOVUPS Y0, (DI)
	VADDPS Y2, Y0, Y4 // e = y0 + y2
	VADDPS Y3, Y1, Y5 // o = y1 + y3
	VADDPS Y5, Y4, Y6
	VMOVUPS Y6, (DI)(R9*1)
	VSUBPS Y5, Y4, Y6
	VMOVUPS Y6, (DI)(R9*2)
	VMOVAPS Y0, Y4 // e = y0 + 4 y2
	VFMADD231PS Y9, Y2, Y4
	VMULPS Y8, Y1, Y5 // o = 2 y1 + 8 y3
	VFMADD231PS Y10, Y3, Y5
	VADDPS Y5, Y4, Y6
	VMOVUPS Y6, (DI)(R12*1)
	VSUBPS Y5, Y4, Y6
	VMOVUPS Y6, (DI)(R9*4)
	VMOVUPS Y3, (DI)(R13*1)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ aloop
	VZEROUPPER
adone:
	RET

// func wgGTAVX(in *float32, is int, out *float32, os int, n int)
// out[k] = Σ_i G[i][k] in[i], for six inputs and three outputs
TEXT ·wgGTAVX(SB), NOSPLIT, $0-40
	STRIDES
	JZ gtdone
	BCAST($0x3e800000, X8, Y8)   // 1/4
	BCAST($0xbe2aaaab, X9, Y9)   // -1/6
	BCAST($0x3d2aaaab, X10, Y10) // 1/24
	BCAST($0x3daaaaab, X11, Y11) // 1/12
	BCAST($0x3e2aaaab, X12, Y12) // 1/6
gtloop:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R10*1), Y3
	VMOVUPS (SI)(R8*4), Y4
	VMOVUPS (SI)(R11*1), Y5
	VADDPS Y2, Y1, Y6  // s12
	VSUBPS Y1, Y2, Y7  // d21 = u2 - u1
	VADDPS Y4, Y3, Y13 // s34
	VSUBPS Y4, Y3, Y14 // d34
	VMULPS Y8, Y0, Y15 // u0/4 - s12/6 + s34/24
	VFMADD231PS Y9, Y6, Y15
	VFMADD231PS Y10, Y13, Y15
	VMOVUPS Y15, (DI)
	VMULPS Y12, Y7, Y15 // d21/6 + d34/12
	VFMADD231PS Y11, Y14, Y15
	VMOVUPS Y15, (DI)(R9*1)
	VMOVAPS Y5, Y15 // -s12/6 + s34/6 + u5
	VFMADD231PS Y9, Y6, Y15
	VFMADD231PS Y12, Y13, Y15
	VMOVUPS Y15, (DI)(R9*2)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ gtloop
	VZEROUPPER
gtdone:
	RET
