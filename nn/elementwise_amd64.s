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

// func maxAVX(dst, src []float32)
// where src > dst: dst = src
TEXT ·maxAVX(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $3, CX
	JZ   mdone
mloop:
	VMOVUPS (SI), Y0
	VMAXPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  mloop
mdone:
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

// func leakyAVX(x, y []float32, alpha float32)
// y = max(x, 0) + alpha*min(x, 0)
TEXT ·leakyAVX(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	MOVSS alpha+48(FP), X14
	VBROADCASTSS X14, Y14
	VXORPS Y15, Y15, Y15
	SHRQ $3, CX
	JZ   lkdone
lkloop:
	VMOVUPS (SI), Y0
	VMAXPS  Y15, Y0, Y1
	VMINPS  Y15, Y0, Y2
	VFMADD231PS Y14, Y2, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  lkloop
lkdone:
	VZEROUPPER
	RET

// Constants of sigmoidAVX, each repeated over 8 lanes: clamp bounds,
// log2(e), ln(2) in two parts and the Taylor coefficients of e^r.
DATA sigc<>+0(SB)/4, $0xc2ae999a
DATA sigc<>+4(SB)/4, $0xc2ae999a
DATA sigc<>+8(SB)/4, $0xc2ae999a
DATA sigc<>+12(SB)/4, $0xc2ae999a
DATA sigc<>+16(SB)/4, $0xc2ae999a
DATA sigc<>+20(SB)/4, $0xc2ae999a
DATA sigc<>+24(SB)/4, $0xc2ae999a
DATA sigc<>+28(SB)/4, $0xc2ae999a
DATA sigc<>+32(SB)/4, $0x42b0999a
DATA sigc<>+36(SB)/4, $0x42b0999a
DATA sigc<>+40(SB)/4, $0x42b0999a
DATA sigc<>+44(SB)/4, $0x42b0999a
DATA sigc<>+48(SB)/4, $0x42b0999a
DATA sigc<>+52(SB)/4, $0x42b0999a
DATA sigc<>+56(SB)/4, $0x42b0999a
DATA sigc<>+60(SB)/4, $0x42b0999a
DATA sigc<>+64(SB)/4, $0x3fb8aa3b
DATA sigc<>+68(SB)/4, $0x3fb8aa3b
DATA sigc<>+72(SB)/4, $0x3fb8aa3b
DATA sigc<>+76(SB)/4, $0x3fb8aa3b
DATA sigc<>+80(SB)/4, $0x3fb8aa3b
DATA sigc<>+84(SB)/4, $0x3fb8aa3b
DATA sigc<>+88(SB)/4, $0x3fb8aa3b
DATA sigc<>+92(SB)/4, $0x3fb8aa3b
DATA sigc<>+96(SB)/4, $0x3f318000
DATA sigc<>+100(SB)/4, $0x3f318000
DATA sigc<>+104(SB)/4, $0x3f318000
DATA sigc<>+108(SB)/4, $0x3f318000
DATA sigc<>+112(SB)/4, $0x3f318000
DATA sigc<>+116(SB)/4, $0x3f318000
DATA sigc<>+120(SB)/4, $0x3f318000
DATA sigc<>+124(SB)/4, $0x3f318000
DATA sigc<>+128(SB)/4, $0xb95e8083
DATA sigc<>+132(SB)/4, $0xb95e8083
DATA sigc<>+136(SB)/4, $0xb95e8083
DATA sigc<>+140(SB)/4, $0xb95e8083
DATA sigc<>+144(SB)/4, $0xb95e8083
DATA sigc<>+148(SB)/4, $0xb95e8083
DATA sigc<>+152(SB)/4, $0xb95e8083
DATA sigc<>+156(SB)/4, $0xb95e8083
DATA sigc<>+160(SB)/4, $0x3ab60b61
DATA sigc<>+164(SB)/4, $0x3ab60b61
DATA sigc<>+168(SB)/4, $0x3ab60b61
DATA sigc<>+172(SB)/4, $0x3ab60b61
DATA sigc<>+176(SB)/4, $0x3ab60b61
DATA sigc<>+180(SB)/4, $0x3ab60b61
DATA sigc<>+184(SB)/4, $0x3ab60b61
DATA sigc<>+188(SB)/4, $0x3ab60b61
DATA sigc<>+192(SB)/4, $0x3c088889
DATA sigc<>+196(SB)/4, $0x3c088889
DATA sigc<>+200(SB)/4, $0x3c088889
DATA sigc<>+204(SB)/4, $0x3c088889
DATA sigc<>+208(SB)/4, $0x3c088889
DATA sigc<>+212(SB)/4, $0x3c088889
DATA sigc<>+216(SB)/4, $0x3c088889
DATA sigc<>+220(SB)/4, $0x3c088889
DATA sigc<>+224(SB)/4, $0x3d2aaaab
DATA sigc<>+228(SB)/4, $0x3d2aaaab
DATA sigc<>+232(SB)/4, $0x3d2aaaab
DATA sigc<>+236(SB)/4, $0x3d2aaaab
DATA sigc<>+240(SB)/4, $0x3d2aaaab
DATA sigc<>+244(SB)/4, $0x3d2aaaab
DATA sigc<>+248(SB)/4, $0x3d2aaaab
DATA sigc<>+252(SB)/4, $0x3d2aaaab
DATA sigc<>+256(SB)/4, $0x3e2aaaab
DATA sigc<>+260(SB)/4, $0x3e2aaaab
DATA sigc<>+264(SB)/4, $0x3e2aaaab
DATA sigc<>+268(SB)/4, $0x3e2aaaab
DATA sigc<>+272(SB)/4, $0x3e2aaaab
DATA sigc<>+276(SB)/4, $0x3e2aaaab
DATA sigc<>+280(SB)/4, $0x3e2aaaab
DATA sigc<>+284(SB)/4, $0x3e2aaaab
DATA sigc<>+288(SB)/4, $0x3f000000
DATA sigc<>+292(SB)/4, $0x3f000000
DATA sigc<>+296(SB)/4, $0x3f000000
DATA sigc<>+300(SB)/4, $0x3f000000
DATA sigc<>+304(SB)/4, $0x3f000000
DATA sigc<>+308(SB)/4, $0x3f000000
DATA sigc<>+312(SB)/4, $0x3f000000
DATA sigc<>+316(SB)/4, $0x3f000000
DATA sigc<>+320(SB)/4, $0x3f800000
DATA sigc<>+324(SB)/4, $0x3f800000
DATA sigc<>+328(SB)/4, $0x3f800000
DATA sigc<>+332(SB)/4, $0x3f800000
DATA sigc<>+336(SB)/4, $0x3f800000
DATA sigc<>+340(SB)/4, $0x3f800000
DATA sigc<>+344(SB)/4, $0x3f800000
DATA sigc<>+348(SB)/4, $0x3f800000
GLOBL sigc<>(SB), RODATA|NOPTR, $352

// func sigmoidAVX(x, y []float32, silu bool)
// y = 1/(1+e^-x), times x when silu; e^t as in exp32.
TEXT ·sigmoidAVX(SB), NOSPLIT, $0-49
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	MOVBLZX silu+48(FP), AX
	VXORPS Y15, Y15, Y15
	MOVL $127, DX
	VMOVD DX, X14
	VPBROADCASTD X14, Y14
	SHRQ $3, CX
	JZ   sgdone
sgloop:
	VMOVUPS (SI), Y0
	VSUBPS  Y0, Y15, Y1
	VMAXPS  sigc<>+0(SB), Y1, Y1
	VMINPS  sigc<>+32(SB), Y1, Y1
	VMULPS  sigc<>+64(SB), Y1, Y2
	VROUNDPS $0, Y2, Y2
	VFNMADD231PS sigc<>+96(SB), Y2, Y1
	VFNMADD231PS sigc<>+128(SB), Y2, Y1
	VMOVUPS sigc<>+160(SB), Y3
	VFMADD213PS sigc<>+192(SB), Y1, Y3
	VFMADD213PS sigc<>+224(SB), Y1, Y3
	VFMADD213PS sigc<>+256(SB), Y1, Y3
	VFMADD213PS sigc<>+288(SB), Y1, Y3
	VFMADD213PS sigc<>+320(SB), Y1, Y3
	VFMADD213PS sigc<>+320(SB), Y1, Y3
	VCVTPS2DQ Y2, Y4
	VPADDD  Y14, Y4, Y4
	VPSLLD  $23, Y4, Y4
	VMULPS  Y4, Y3, Y3
	VADDPS  sigc<>+320(SB), Y3, Y3
	VMOVUPS sigc<>+320(SB), Y5
	VDIVPS  Y3, Y5, Y5
	TESTL AX, AX
	JZ   sgstore
	VMULPS  Y0, Y5, Y5
sgstore:
	VMOVUPS Y5, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  sgloop
sgdone:
	VZEROUPPER
	RET

// func mulAVX(y, a, b []float32)
// y = a*b
TEXT ·mulAVX(SB), NOSPLIT, $0-72
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	SHRQ $3, CX
	JZ   mldone
mlloop:
	VMOVUPS (SI), Y0
	VMULPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ  mlloop
mldone:
	VZEROUPPER
	RET

// func clampAVX(x, y []float32, lo, hi float32)
// y = min(max(x, lo), hi)
TEXT ·clampAVX(SB), NOSPLIT, $0-56
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	MOVSS lo+48(FP), X14
	VBROADCASTSS X14, Y14
	MOVSS hi+52(FP), X13
	VBROADCASTSS X13, Y13
	SHRQ $3, CX
	JZ   cldone
clloop:
	VMOVUPS (SI), Y0
	VMAXPS  Y14, Y0, Y0
	VMINPS  Y13, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  clloop
cldone:
	VZEROUPPER
	RET

// func clampGradAVX(y, gy, gx []float32, lo, hi, scale float32)
// gx = gy*scale where lo < y < hi, else 0
TEXT ·clampGradAVX(SB), NOSPLIT, $0-84
	MOVQ y_base+0(FP), SI
	MOVQ y_len+8(FP), CX
	MOVQ gy_base+24(FP), DX
	MOVQ gx_base+48(FP), DI
	MOVSS lo+72(FP), X14
	VBROADCASTSS X14, Y14
	MOVSS hi+76(FP), X13
	VBROADCASTSS X13, Y13
	MOVSS scale+80(FP), X12
	VBROADCASTSS X12, Y12
	SHRQ $3, CX
	JZ   cgdone
cgloop:
	VMOVUPS (SI), Y0
	VCMPPS  $0x1e, Y14, Y0, Y1
	VCMPPS  $0x11, Y13, Y0, Y2
	VANDPS  Y2, Y1, Y1
	VMULPS  (DX), Y12, Y3
	VANDPS  Y3, Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ  cgloop
cgdone:
	VZEROUPPER
	RET
