package main

import (
	"bytes"
	"fmt"
	"log"
	"strings"
)

// argKind is the Go type of one argument of an elementwise kernel.
type argKind int

const (
	f32s    argKind = iota // []float32
	i32s                   // []int32
	f32                    // float32
	i32                    // int32
	boolean                // bool
)

// goType is the kind's Go spelling; size and align its ABI0 frame layout.
func (k argKind) goType() string {
	return [...]string{"[]float32", "[]int32", "float32", "int32", "bool"}[k]
}

func (k argKind) size() int { return [...]int{24, 24, 4, 4, 1}[k] }

func (k argKind) align() int { return [...]int{8, 8, 4, 4, 1}[k] }

func (k argKind) slice() bool { return k == f32s || k == i32s }

// ewArg is one argument of an elementwise kernel.
type ewArg struct {
	name string
	kind argKind
}

// ewKernel is one elementwise kernel of package nn: a loop over the first
// slice argument's length, 8 float32 lanes (one AVX2 register) at a time.
// The Go wrapper passes whole multiples of 8 and finishes the tail.
//
// In setup and body, "{name}" stands for the argument called name: a
// slice's current 8 elements as a memory operand, a scalar's frame slot.
// The generator loads the slice pointers, counts the steps in CX, advances
// every pointer by 32 bytes a step and restores the upper register halves
// on return; AX is free for setup. A kernel with a bool argument runs body
// when it is false and flagBody when it is true.
type ewKernel struct {
	name     string
	doc      string
	args     []ewArg
	setup    []string
	body     []string
	flagBody []string
}

// ewPointers are the registers that hold the slice arguments, in order.
var ewPointers = []string{"SI", "DI", "DX", "BX", "R8", "R9"}

// Shorthands for argument lists.
func floats(names ...string) []ewArg {
	a := make([]ewArg, len(names))
	for i, n := range names {
		a[i] = ewArg{n, f32s}
	}
	return a
}

func with(a []ewArg, extra ...ewArg) []ewArg { return append(a, extra...) }

// Setup fragments.
var (
	zeroY15      = []string{"VXORPS Y15, Y15, Y15"}
	broadcastK15 = []string{"MOVL {k}, AX", "VMOVD AX, X15", "VPBROADCASTD X15, Y15"}
)

func broadcastF(arg string, reg int) []string {
	return []string{fmt.Sprintf("MOVSS {%s}, X%d", arg, reg), fmt.Sprintf("VBROADCASTSS X%d, Y%d", reg, reg)}
}

func concat(parts ...[]string) []string {
	var s []string
	for _, p := range parts {
		s = append(s, p...)
	}
	return s
}

// sigmoidBody computes 1/(1+e^-x) of {x} (in Y0) into Y5; e^t as in exp32.
var sigmoidBody = []string{
	"VMOVUPS {x}, Y0",
	"VSUBPS Y0, Y15, Y1",
	"VMAXPS sigc<>+0(SB), Y1, Y1",
	"VMINPS sigc<>+32(SB), Y1, Y1",
	"VMULPS sigc<>+64(SB), Y1, Y2",
	"VROUNDPS $0, Y2, Y2",
	"VFNMADD231PS sigc<>+96(SB), Y2, Y1",
	"VFNMADD231PS sigc<>+128(SB), Y2, Y1",
	"VMOVUPS sigc<>+160(SB), Y3",
	"VFMADD213PS sigc<>+192(SB), Y1, Y3",
	"VFMADD213PS sigc<>+224(SB), Y1, Y3",
	"VFMADD213PS sigc<>+256(SB), Y1, Y3",
	"VFMADD213PS sigc<>+288(SB), Y1, Y3",
	"VFMADD213PS sigc<>+320(SB), Y1, Y3",
	"VFMADD213PS sigc<>+320(SB), Y1, Y3",
	"VCVTPS2DQ Y2, Y4",
	"VPADDD Y14, Y4, Y4",
	"VPSLLD $23, Y4, Y4",
	"VMULPS Y4, Y3, Y3",
	"VADDPS sigc<>+320(SB), Y3, Y3",
	"VMOVUPS sigc<>+320(SB), Y5",
	"VDIVPS Y3, Y5, Y5",
}

// sigmoidConsts are the constants of the sigmoid kernel, as float32 bits:
// clamp bounds, log2(e), ln(2) in two parts, the Taylor coefficients of
// e^r, and 1.
var sigmoidConsts = []uint32{
	0xc2ae999a, 0x42b0999a, 0x3fb8aa3b, 0x3f318000, 0xb95e8083, 0x3ab60b61,
	0x3c088889, 0x3d2aaaab, 0x3e2aaaab, 0x3f000000, 0x3f800000,
}

var ewKernels = []ewKernel{
	{name: "affine", doc: "y = x*a + b", args: floats("x", "a", "b", "y"),
		body: []string{"VMOVUPS {b}, Y1", "VMOVUPS {x}, Y0", "VFMADD231PS {a}, Y0, Y1", "VMOVUPS Y1, {y}"}},
	{name: "affine3", doc: "y = x*a + b + z*k", args: floats("x", "z", "a", "b", "k", "y"),
		body: []string{"VMOVUPS {b}, Y1", "VMOVUPS {x}, Y0", "VMOVUPS {z}, Y2", "VFMADD231PS {a}, Y0, Y1",
			"VFMADD231PS {k}, Y2, Y1", "VMOVUPS Y1, {y}"}},
	{name: "relu", doc: "y = max(x, 0)", args: floats("x", "y"), setup: zeroY15,
		body: []string{"VMOVUPS {x}, Y0", "VMAXPS Y15, Y0, Y0", "VMOVUPS Y0, {y}"}},
	{name: "reluGrad", doc: "gx = gy where y > 0, else 0", args: floats("y", "gy", "gx"), setup: zeroY15,
		body: []string{"VMOVUPS {y}, Y0", "VCMPPS $0x1e, Y15, Y0, Y1", "VANDPS {gy}, Y1, Y1", "VMOVUPS Y1, {gx}"}},
	{name: "add", doc: "dst += src", args: floats("dst", "src"),
		body: []string{"VMOVUPS {dst}, Y0", "VADDPS {src}, Y0, Y0", "VMOVUPS Y0, {dst}"}},
	{name: "sumProd", doc: "s += g; q += g*(x - c)", args: floats("g", "x", "c", "s", "q"),
		body: []string{"VMOVUPS {g}, Y0", "VADDPS {s}, Y0, Y1", "VMOVUPS Y1, {s}", "VMOVUPS {x}, Y3",
			"VSUBPS {c}, Y3, Y3", "VMOVUPS {q}, Y2", "VFMADD231PS Y3, Y0, Y2", "VMOVUPS Y2, {q}"}},
	{name: "mulAdd", doc: "dst += a*b", args: floats("dst", "a", "b"),
		body: []string{"VMOVUPS {dst}, Y0", "VMOVUPS {a}, Y1", "VFMADD231PS {b}, Y1, Y0", "VMOVUPS Y0, {dst}"}},
	{name: "maxIdx", doc: "where src > dst: dst = src, idx = k",
		args:  []ewArg{{"dst", f32s}, {"idx", i32s}, {"src", f32s}, {"k", i32}},
		setup: broadcastK15,
		body: []string{"VMOVUPS {src}, Y0", "VMOVUPS {dst}, Y1", "VMOVDQU {idx}, Y4", "VCMPPS $0x1e, Y1, Y0, Y2",
			"VBLENDVPS Y2, Y0, Y1, Y3", "VBLENDVPS Y2, Y15, Y4, Y5", "VMOVUPS Y3, {dst}", "VMOVDQU Y5, {idx}"}},
	{name: "max", doc: "where src > dst: dst = src", args: floats("dst", "src"),
		body: []string{"VMOVUPS {src}, Y0", "VMAXPS {dst}, Y0, Y0", "VMOVUPS Y0, {dst}"}},
	{name: "selectIdx", doc: "dst = g where idx == k, else 0",
		args:  []ewArg{{"dst", f32s}, {"g", f32s}, {"idx", i32s}, {"k", i32}},
		setup: broadcastK15,
		body:  []string{"VPCMPEQD {idx}, Y15, Y0", "VANDPS {g}, Y0, Y0", "VMOVUPS Y0, {dst}"}},
	{name: "addRelu", doc: "dst = max(dst + src, 0)", args: floats("dst", "src"), setup: zeroY15,
		body: []string{"VMOVUPS {dst}, Y0", "VADDPS {src}, Y0, Y0", "VMAXPS Y15, Y0, Y0", "VMOVUPS Y0, {dst}"}},
	{name: "add2", doc: "y = a + b, then max(y, 0) when relu", args: with(floats("y", "a", "b"), ewArg{"relu", boolean}),
		setup:    zeroY15,
		body:     []string{"VMOVUPS {a}, Y0", "VADDPS {b}, Y0, Y0", "VMOVUPS Y0, {y}"},
		flagBody: []string{"VMOVUPS {a}, Y0", "VADDPS {b}, Y0, Y0", "VMAXPS Y15, Y0, Y0", "VMOVUPS Y0, {y}"}},
	{name: "leaky", doc: "y = max(x, 0) + alpha*min(x, 0)", args: with(floats("x", "y"), ewArg{"alpha", f32}),
		setup: concat(broadcastF("alpha", 14), zeroY15),
		body:  []string{"VMOVUPS {x}, Y0", "VMAXPS Y15, Y0, Y1", "VMINPS Y15, Y0, Y2", "VFMADD231PS Y14, Y2, Y1", "VMOVUPS Y1, {y}"}},
	{name: "sigmoid", doc: "y = 1/(1+e^-x), times x when silu; e^t as in exp32",
		args:     with(floats("x", "y"), ewArg{"silu", boolean}),
		setup:    concat(zeroY15, []string{"MOVL $127, AX", "VMOVD AX, X14", "VPBROADCASTD X14, Y14"}),
		body:     concat(sigmoidBody, []string{"VMOVUPS Y5, {y}"}),
		flagBody: concat(sigmoidBody, []string{"VMULPS Y0, Y5, Y5", "VMOVUPS Y5, {y}"})},
	{name: "mul", doc: "y = a*b", args: floats("y", "a", "b"),
		body: []string{"VMOVUPS {a}, Y0", "VMULPS {b}, Y0, Y0", "VMOVUPS Y0, {y}"}},
	{name: "clamp", doc: "y = min(max(x, lo), hi)", args: with(floats("x", "y"), ewArg{"lo", f32}, ewArg{"hi", f32}),
		setup: concat(broadcastF("lo", 14), broadcastF("hi", 13)),
		body:  []string{"VMOVUPS {x}, Y0", "VMAXPS Y14, Y0, Y0", "VMINPS Y13, Y0, Y0", "VMOVUPS Y0, {y}"}},
	{name: "clampGrad", doc: "gx = gy*scale where lo < y < hi, else 0",
		args:  with(floats("y", "gy", "gx"), ewArg{"lo", f32}, ewArg{"hi", f32}, ewArg{"scale", f32}),
		setup: concat(broadcastF("lo", 14), broadcastF("hi", 13), broadcastF("scale", 12)),
		body: []string{"VMOVUPS {y}, Y0", "VCMPPS $0x1e, Y14, Y0, Y1", "VCMPPS $0x11, Y13, Y0, Y2", "VANDPS Y2, Y1, Y1",
			"VMULPS {gy}, Y12, Y3", "VANDPS Y3, Y1, Y1", "VMOVUPS Y1, {gx}"}},
}

// writeElementwise writes every elementwise kernel, and the sigmoid
// constants, as amd64 assembly.
func writeElementwise(w *bytes.Buffer) {
	w.WriteString("// Code generated by kernelgen -elementwise; DO NOT EDIT.\n\n//go:build amd64 && !purego\n\n#include \"textflag.h\"\n")
	w.WriteString("\n// Vector kernels over float32 slices. Each processes len(first) &^ 7\n// elements (the Go wrappers pass whole multiples of 8 and finish the tail).\n")
	w.WriteString("\n// The sigmoid kernel's constants, each repeated over 8 lanes.\n")
	for i, c := range sigmoidConsts {
		for lane := 0; lane < 8; lane++ {
			fmt.Fprintf(w, "DATA sigc<>+%d(SB)/4, $0x%08x\n", (i*8+lane)*4, c)
		}
	}
	fmt.Fprintf(w, "GLOBL sigc<>(SB), RODATA|NOPTR, $%d\n", len(sigmoidConsts)*32)
	for _, k := range ewKernels {
		writeEWKernel(w, k)
	}
}

// writeEWKernel writes one elementwise kernel, named k.name+"AVX".
func writeEWKernel(w *bytes.Buffer, k ewKernel) {
	name := k.name + "AVX"
	if len(k.args) == 0 || !k.args[0].kind.slice() {
		log.Fatalf("kernelgen: %s: the first argument must be a slice", name)
	}
	operand := map[string]string{}
	var sig []string
	var loads []string
	off, ptr, flagArg := 0, 0, ""
	for i, a := range k.args {
		off = (off + a.kind.align() - 1) &^ (a.kind.align() - 1)
		sig = append(sig, a.name+" "+a.kind.goType())
		switch {
		case a.kind.slice():
			if ptr == len(ewPointers) {
				log.Fatalf("kernelgen: %s: too many slices", name)
			}
			reg := ewPointers[ptr]
			ptr++
			loads = append(loads, fmt.Sprintf("MOVQ %s_base+%d(FP), %s", a.name, off, reg))
			if i == 0 {
				loads = append(loads, fmt.Sprintf("MOVQ %s_len+%d(FP), CX", a.name, off+8))
			}
			operand[a.name] = "(" + reg + ")"
		case a.kind == boolean:
			flagArg = fmt.Sprintf("%s+%d(FP)", a.name, off)
		default:
			operand[a.name] = fmt.Sprintf("%s+%d(FP)", a.name, off)
		}
		off += a.kind.size()
	}
	if (flagArg != "") != (k.flagBody != nil) {
		log.Fatalf("kernelgen: %s: a bool argument needs a flag body and the other way round", name)
	}
	expand := func(line string) string {
		for n, o := range operand {
			line = strings.ReplaceAll(line, "{"+n+"}", o)
		}
		if strings.Contains(line, "{") {
			log.Fatalf("kernelgen: %s: unknown operand in %q", name, line)
		}
		return line
	}
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	loop := func(label string, body []string) {
		fmt.Fprintf(w, "%s:\n", label)
		for _, l := range body {
			p("%s", expand(l))
		}
		for _, reg := range ewPointers[:ptr] {
			p("ADDQ $32, %s", reg)
		}
		p("DECQ CX")
		p("JNZ %s", label)
	}

	fmt.Fprintf(w, "\n// func %s(%s)\n// %s\n", name, strings.Join(sig, ", "), k.doc)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", name, off)
	for _, l := range loads {
		p("%s", l)
	}
	for _, l := range k.setup {
		p("%s", expand(l))
	}
	if flagArg != "" {
		p("MOVBLZX %s, AX", flagArg)
	}
	p("SHRQ $3, CX")
	p("JZ %sdone", k.name)
	if flagArg != "" {
		p("TESTL AX, AX")
		p("JNZ %sflag", k.name)
	}
	loop(k.name+"loop", k.body)
	if flagArg != "" {
		p("JMP %sdone", k.name)
		loop(k.name+"flag", k.flagBody)
	}
	fmt.Fprintf(w, "%sdone:\n", k.name)
	p("VZEROUPPER")
	p("RET")
}
