//go:build amd64 && !purego

#include "textflag.h"

// Vector kernels over float32 slices. Each processes len(x) &^ 7 elements
// (the Go wrappers pass whole multiples of 8 and finish the tail).

// func affineAVX(x, a, b, y []float32)
// y = x*a + b
TEXT ·affineAVX(SB), NOSPLIT, $0-96
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ a_base+24(FP), AX
	MOVQ b_base+48(FP), BX
	MOVQ y_base+72(FP), DI
	SHRQ $3, CX
	JZ   affdone
affloop:
	VMOVUPS (BX), Y1
	VMOVUPS (SI), Y0
	VFMADD231PS (AX), Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $32, DI
	DECQ CX
	JNZ  affloop
affdone:
	VZEROUPPER
	RET

// func affine3AVX(x, z, a, b, k, y []float32)
// y = x*a + b + z*k
TEXT ·affine3AVX(SB), NOSPLIT, $0-144
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ z_base+24(FP), DX
	MOVQ a_base+48(FP), AX
	MOVQ b_base+72(FP), BX
	MOVQ k_base+96(FP), R8
	MOVQ y_base+120(FP), DI
	SHRQ $3, CX
	JZ   aff3done
aff3loop:
	VMOVUPS (BX), Y1
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y2
	VFMADD231PS (AX), Y0, Y1
	VFMADD231PS (R8), Y2, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $32, R8
	ADDQ $32, DI
	DECQ CX
	JNZ  aff3loop
aff3done:
	VZEROUPPER
	RET

// func reluAVX(x, y []float32)
// y = max(x, 0)
TEXT ·reluAVX(SB), NOSPLIT, $0-48
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	VXORPS Y15, Y15, Y15
	SHRQ $3, CX
	JZ   reludone
reluloop:
	VMOVUPS (SI), Y0
	VMAXPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  reluloop
reludone:
	VZEROUPPER
	RET

// func reluGradAVX(y, gy, gx []float32)
// gx = gy where y > 0, else 0
TEXT ·reluGradAVX(SB), NOSPLIT, $0-72
	MOVQ y_base+0(FP), SI
	MOVQ y_len+8(FP), CX
	MOVQ gy_base+24(FP), DX
	MOVQ gx_base+48(FP), DI
	VXORPS Y15, Y15, Y15
	SHRQ $3, CX
	JZ   rgdone
rgloop:
	VMOVUPS (SI), Y0
	VCMPPS  $0x1e, Y15, Y0, Y1
	VANDPS  (DX), Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ  rgloop
rgdone:
	VZEROUPPER
	RET

// func addAVX(dst, src []float32)
// dst += src
TEXT ·addAVX(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $3, CX
	JZ   adddone
addloop:
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  addloop
adddone:
	VZEROUPPER
	RET

// func sumProdAVX(g, x, c, s, q []float32)
// s += g; q += g*(x - c)
TEXT ·sumProdAVX(SB), NOSPLIT, $0-120
	MOVQ g_base+0(FP), SI
	MOVQ g_len+8(FP), CX
	MOVQ x_base+24(FP), DX
	MOVQ c_base+48(FP), R8
	MOVQ s_base+72(FP), AX
	MOVQ q_base+96(FP), BX
	SHRQ $3, CX
	JZ   spdone
sploop:
	VMOVUPS (SI), Y0
	VADDPS  (AX), Y0, Y1
	VMOVUPS Y1, (AX)
	VMOVUPS (DX), Y3
	VSUBPS  (R8), Y3, Y3
	VMOVUPS (BX), Y2
	VFMADD231PS Y3, Y0, Y2
	VMOVUPS Y2, (BX)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, R8
	ADDQ $32, AX
	ADDQ $32, BX
	DECQ CX
	JNZ  sploop
spdone:
	VZEROUPPER
	RET

// func mulAddAVX(dst, a, b []float32)
// dst += a*b
TEXT ·mulAddAVX(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	SHRQ $3, CX
	JZ   madone
maloop:
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VFMADD231PS (DX), Y1, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ  maloop
madone:
	VZEROUPPER
	RET

// func maxIdxAVX(dst []float32, idx []int32, src []float32, k int32)
// where src > dst: dst = src, idx = k
TEXT ·maxIdxAVX(SB), NOSPLIT, $0-76
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ idx_base+24(FP), DX
	MOVQ src_base+48(FP), SI
	MOVL k+72(FP), AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	SHRQ $3, CX
	JZ   mxdone
mxloop:
	VMOVUPS (SI), Y0
	VMOVUPS (DI), Y1
	VMOVDQU (DX), Y4
	VCMPPS  $0x1e, Y1, Y0, Y2
	VBLENDVPS Y2, Y0, Y1, Y3
	VBLENDVPS Y2, Y15, Y4, Y5
	VMOVUPS Y3, (DI)
	VMOVDQU Y5, (DX)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ  mxloop
mxdone:
	VZEROUPPER
	RET

// func selectIdxAVX(dst, g []float32, idx []int32, k int32)
// dst = g where idx == k, else 0
TEXT ·selectIdxAVX(SB), NOSPLIT, $0-76
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ idx_base+48(FP), DX
	MOVL k+72(FP), AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	SHRQ $3, CX
	JZ   seldone
selloop:
	VPCMPEQD (DX), Y15, Y0
	VANDPS   (SI), Y0, Y0
	VMOVUPS  Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ  selloop
seldone:
	VZEROUPPER
	RET

// func addReluAVX(dst, src []float32)
// dst = max(dst + src, 0)
TEXT ·addReluAVX(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	VXORPS Y15, Y15, Y15
	SHRQ $3, CX
	JZ   ardone
arloop:
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VMAXPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  arloop
ardone:
	VZEROUPPER
	RET

// func add2AVX(y, a, b []float32, relu bool)
// y = a + b, then max(y, 0) when relu
TEXT ·add2AVX(SB), NOSPLIT, $0-73
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	MOVBLZX relu+72(FP), AX
	VXORPS Y15, Y15, Y15
	SHRQ $3, CX
	JZ   a2done
	TESTL AX, AX
	JNZ  a2relu
a2loop:
	VMOVUPS (SI), Y0
	VADDPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ  a2loop
	JMP  a2done
a2relu:
	VMOVUPS (SI), Y0
	VADDPS  (DX), Y0, Y0
	VMAXPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ  a2relu
a2done:
	VZEROUPPER
	RET
