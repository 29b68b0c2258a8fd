package main

import (
	"bytes"
	"fmt"
	"log"
	"strconv"
	"strings"
)

// neonEW is the arm64 body of an elementwise kernel of ewKernels, which
// gives its name and arguments. Each step of the loop handles 8 float32
// values as two vectors of 4, so that the wrappers and their tails are the
// same as on amd64.
//
// Body lines are "op operand…". The operands are rN, a pair of registers
// that holds 8 values (N from 0 to 7: V2N and V2N+1, one per half), a
// constant's name from consts (one register holding 4 lanes, used by both
// halves), or in ld and st a slice argument's name. The ops are
//
//	ld rD x / st rS x        load or store 8 values of slice x
//	fadd, fsub, fmul, fdiv, fmax, fmin, fcmgt, cmeq, and, iadd D N M
//	                         D = N op M (fcmgt: all ones where N > M; cmeq
//	                         and iadd on int32 lanes)
//	fmla, fmls D N M         D += N*M, D -= N*M
//	bit D N MASK             D = N where MASK is set
//	mov D N, frintn D N, fcvtzs D N, shl D N IMM
//
// Every slice pointer advances by 32 bytes a step after the body.
type neonEW struct {
	consts   []neonConst
	body     []string
	flagBody []string
}

// neonConst is a constant register of an elementwise kernel: from is
// "zero", "arg" (a float32 argument of the same name), "iarg" (an int32
// argument of the same name), "int:N" (N in every int32 lane) or "sig:N"
// (the sigmoid constant sigmoidConsts[N]).
type neonConst struct {
	name, from string
}

func zeroConst() neonConst { return neonConst{"zero", "zero"} }

// sigmoidConstNames name sigmoidConsts in order.
var sigmoidConstNames = []string{"lo", "hi", "log2e", "ln2hi", "ln2lo", "c720", "c120", "c24", "c6", "c2", "one"}

// neonSigmoid computes 1/(1+e^-x) of r0 into r5 in the steps of the amd64
// kernel: e^t as in exp32.
var neonSigmoid = []string{
	"ld r0 x",
	"fsub r1 zero r0",
	"fmax r1 r1 lo",
	"fmin r1 r1 hi",
	"fmul r2 r1 log2e",
	"frintn r2 r2",
	"fmls r1 r2 ln2hi",
	"fmls r1 r2 ln2lo",
	"mov r3 c120", "fmla r3 r1 c720",
	"mov r4 c24", "fmla r4 r3 r1",
	"mov r3 c6", "fmla r3 r4 r1",
	"mov r4 c2", "fmla r4 r3 r1",
	"mov r3 one", "fmla r3 r4 r1",
	"mov r4 one", "fmla r4 r3 r1",
	"fcvtzs r2 r2",
	"iadd r2 r2 bias",
	"shl r2 r2 23",
	"fmul r4 r4 r2",
	"fadd r4 r4 one",
	"fdiv r5 one r4",
}

func sigmoidNEONConsts() []neonConst {
	cs := []neonConst{zeroConst(), {"bias", "int:127"}}
	for i, n := range sigmoidConstNames {
		cs = append(cs, neonConst{n, fmt.Sprintf("sig:%d", i)})
	}
	return cs
}

// neonEWKernels are the arm64 bodies of ewKernels, by name.
var neonEWKernels = map[string]neonEW{
	"affine":   {body: []string{"ld r1 b", "ld r0 x", "ld r2 a", "fmla r1 r0 r2", "st r1 y"}},
	"affine3":  {body: []string{"ld r1 b", "ld r0 x", "ld r2 z", "ld r3 a", "ld r4 k", "fmla r1 r0 r3", "fmla r1 r2 r4", "st r1 y"}},
	"relu":     {consts: []neonConst{zeroConst()}, body: []string{"ld r0 x", "fmax r0 r0 zero", "st r0 y"}},
	"reluGrad": {consts: []neonConst{zeroConst()}, body: []string{"ld r0 y", "fcmgt r1 r0 zero", "ld r2 gy", "and r1 r1 r2", "st r1 gx"}},
	"add":      {body: []string{"ld r0 dst", "ld r1 src", "fadd r0 r0 r1", "st r0 dst"}},
	"sumProd": {body: []string{"ld r0 g", "ld r1 s", "fadd r1 r1 r0", "st r1 s", "ld r3 x", "ld r4 c",
		"fsub r3 r3 r4", "ld r2 q", "fmla r2 r0 r3", "st r2 q"}},
	"mulAdd": {body: []string{"ld r0 dst", "ld r1 a", "ld r2 b", "fmla r0 r1 r2", "st r0 dst"}},
	"maxIdx": {consts: []neonConst{{"k", "iarg"}},
		body: []string{"ld r0 src", "ld r1 dst", "ld r4 idx", "fcmgt r2 r0 r1", "bit r1 r0 r2", "bit r4 k r2",
			"st r1 dst", "st r4 idx"}},
	"max":       {body: []string{"ld r0 src", "ld r1 dst", "fcmgt r2 r0 r1", "bit r1 r0 r2", "st r1 dst"}},
	"selectIdx": {consts: []neonConst{{"k", "iarg"}}, body: []string{"ld r0 idx", "cmeq r0 r0 k", "ld r1 g", "and r0 r0 r1", "st r0 dst"}},
	"addRelu":   {consts: []neonConst{zeroConst()}, body: []string{"ld r0 dst", "ld r1 src", "fadd r0 r0 r1", "fmax r0 r0 zero", "st r0 dst"}},
	"add2": {consts: []neonConst{zeroConst()},
		body:     []string{"ld r0 a", "ld r1 b", "fadd r0 r0 r1", "st r0 y"},
		flagBody: []string{"ld r0 a", "ld r1 b", "fadd r0 r0 r1", "fmax r0 r0 zero", "st r0 y"}},
	"leaky": {consts: []neonConst{zeroConst(), {"alpha", "arg"}},
		body: []string{"ld r0 x", "fmax r1 r0 zero", "fmin r2 r0 zero", "fmla r1 r2 alpha", "st r1 y"}},
	"sigmoid": {consts: sigmoidNEONConsts(),
		body:     append(append([]string{}, neonSigmoid...), "st r5 y"),
		flagBody: append(append([]string{}, neonSigmoid...), "fmul r5 r5 r0", "st r5 y")},
	"mul":   {body: []string{"ld r0 a", "ld r1 b", "fmul r0 r0 r1", "st r0 y"}},
	"clamp": {consts: []neonConst{{"lo", "arg"}, {"hi", "arg"}}, body: []string{"ld r0 x", "fmax r0 r0 lo", "fmin r0 r0 hi", "st r0 y"}},
	"clampGrad": {consts: []neonConst{{"lo", "arg"}, {"hi", "arg"}, {"scale", "arg"}},
		body: []string{"ld r0 y", "fcmgt r1 r0 lo", "fcmgt r2 hi r0", "and r1 r1 r2", "ld r3 gy", "fmul r3 r3 scale",
			"and r1 r1 r3", "st r1 gx"}},
}

// neonEWPointers hold the slice arguments, in order; R6 counts the steps and
// R7 and R8 are scratch.
var neonEWPointers = []string{"R0", "R1", "R2", "R3", "R4", "R5"}

// writeNEONElementwise writes every elementwise kernel of ewKernels, and the
// sigmoid constants, as arm64 assembly.
func writeNEONElementwise(w *bytes.Buffer) {
	w.WriteString("// Code generated by kernelgen -elementwise -arch arm64; DO NOT EDIT.\n\n//go:build arm64 && !purego\n\n#include \"textflag.h\"\n")
	w.WriteString("\n// NEON vector kernels over float32 slices. Each processes len(first) &^ 7\n// elements (the Go wrappers pass whole multiples of 8 and finish the tail).\n// They keep the names of their amd64 counterparts, which package nn's\n// helpers call on both architectures.\n")
	w.WriteString("\n// The sigmoid kernel's constants, each repeated over 4 lanes.\n")
	for i, c := range sigmoidConsts {
		for lane := 0; lane < 4; lane++ {
			fmt.Fprintf(w, "DATA sigcNEON<>+%d(SB)/4, $0x%08x\n", (i*4+lane)*4, c)
		}
	}
	fmt.Fprintf(w, "GLOBL sigcNEON<>(SB), RODATA|NOPTR, $%d\n", len(sigmoidConsts)*16)
	for _, k := range ewKernels {
		nk, ok := neonEWKernels[k.name]
		if !ok {
			log.Fatalf("kernelgen: elementwise kernel %s has no arm64 body in neonEWKernels", k.name)
		}
		writeNEONEWKernel(w, k, nk)
	}
}

// writeNEONEWKernel writes one elementwise kernel for arm64.
func writeNEONEWKernel(w *bytes.Buffer, k ewKernel, nk neonEW) {
	name := k.name + "AVX"
	nw := neonWriter{w}
	if len(k.args) == 0 || !k.args[0].kind.slice() {
		log.Fatalf("kernelgen: %s: the first argument must be a slice", name)
	}
	pointer := map[string]string{}
	frame := map[string]string{}
	var sig, loads []string
	off, ptr, flagArg := 0, 0, ""
	for i, a := range k.args {
		off = (off + a.kind.align() - 1) &^ (a.kind.align() - 1)
		sig = append(sig, a.name+" "+a.kind.goType())
		switch {
		case a.kind.slice():
			if ptr == len(neonEWPointers) {
				log.Fatalf("kernelgen: %s: too many slices", name)
			}
			reg := neonEWPointers[ptr]
			ptr++
			loads = append(loads, fmt.Sprintf("MOVD %s_base+%d(FP), %s", a.name, off, reg))
			if i == 0 {
				loads = append(loads, fmt.Sprintf("MOVD %s_len+%d(FP), R6", a.name, off+8))
			}
			pointer[a.name] = reg
		case a.kind == boolean:
			flagArg = fmt.Sprintf("%s+%d(FP)", a.name, off)
		default:
			frame[a.name] = fmt.Sprintf("%s+%d(FP)", a.name, off)
		}
		off += a.kind.size()
	}
	if (flagArg != "") != (nk.flagBody != nil) || (k.flagBody != nil) != (nk.flagBody != nil) {
		log.Fatalf("kernelgen: %s: a bool argument needs a flag body and the other way round", name)
	}

	// Constants go in V16 up.
	constReg := map[string]int{}
	var setup []string
	for i, c := range nk.consts {
		reg := 16 + i
		if reg > 31 {
			log.Fatalf("kernelgen: %s: too many constants", name)
		}
		constReg[c.name] = reg
		switch {
		case c.from == "zero":
			setup = append(setup, fmt.Sprintf("VEOR V%d.B16, V%d.B16, V%d.B16", reg, reg, reg))
		case c.from == "arg" || c.from == "iarg":
			slot, ok := frame[c.name]
			if !ok {
				log.Fatalf("kernelgen: %s: no scalar argument %s", name, c.name)
			}
			setup = append(setup, fmt.Sprintf("MOVWU %s, R7", slot), fmt.Sprintf("VDUP R7, V%d.S4", reg))
		case strings.HasPrefix(c.from, "int:"):
			setup = append(setup, fmt.Sprintf("MOVD $%s, R7", strings.TrimPrefix(c.from, "int:")), fmt.Sprintf("VDUP R7, V%d.S4", reg))
		case strings.HasPrefix(c.from, "sig:"):
			n, err := strconv.Atoi(strings.TrimPrefix(c.from, "sig:"))
			if err != nil || n < 0 || n >= len(sigmoidConsts) {
				log.Fatalf("kernelgen: %s: bad constant %q", name, c.from)
			}
			setup = append(setup, fmt.Sprintf("MOVD $sigcNEON<>+%d(SB), R8", n*16), fmt.Sprintf("VLD1 (R8), [V%d.S4]", reg))
		default:
			log.Fatalf("kernelgen: %s: bad constant %q", name, c.from)
		}
	}
	// reg resolves an operand for one half of the step.
	reg := func(op string, half int) int {
		if r, ok := constReg[op]; ok {
			return r
		}
		if len(op) == 2 && op[0] == 'r' && op[1] >= '0' && op[1] <= '7' {
			return 2*int(op[1]-'0') + half
		}
		log.Fatalf("kernelgen: %s: unknown operand %q", name, op)
		return 0
	}
	pair := func(op string) int {
		if _, ok := constReg[op]; ok {
			log.Fatalf("kernelgen: %s: %s is a constant, not a pair", name, op)
		}
		return reg(op, 0)
	}
	slice := func(op string) string {
		r, ok := pointer[op]
		if !ok {
			log.Fatalf("kernelgen: %s: no slice argument %s", name, op)
		}
		return r
	}
	ops3 := map[string]uint32{"fadd": opFADD, "fsub": opFSUB, "fmul": opFMUL, "fdiv": opFDIV, "fmax": opFMAX,
		"fmin": opFMIN, "fcmgt": opFCMGT, "cmeq": opCMEQ, "fmla": opFMLA, "fmls": opFMLS}
	ops2 := map[string]uint32{"frintn": opFRINTN, "fcvtzs": opFCVTZS}
	emit := func(line string) {
		f := strings.Fields(line)
		want := map[string]int{"ld": 3, "st": 3, "mov": 3, "frintn": 3, "fcvtzs": 3, "shl": 4}[f[0]]
		if want == 0 {
			want = 4
		}
		if len(f) != want {
			log.Fatalf("kernelgen: %s: bad line %q", name, line)
		}
		switch f[0] {
		case "ld":
			nw.p("VLD1 (%s), %s", slice(f[2]), vlist(pair(f[1]), 2))
			return
		case "st":
			nw.p("VST1 %s, (%s)", vlist(pair(f[1]), 2), slice(f[2]))
			return
		}
		for h := 0; h < 2; h++ {
			switch f[0] {
			case "and":
				nw.p("VAND V%d.B16, V%d.B16, V%d.B16", reg(f[3], h), reg(f[2], h), reg(f[1], h))
			case "bit":
				nw.p("VBIT V%d.B16, V%d.B16, V%d.B16", reg(f[3], h), reg(f[2], h), reg(f[1], h))
			case "iadd":
				nw.p("VADD V%d.S4, V%d.S4, V%d.S4", reg(f[3], h), reg(f[2], h), reg(f[1], h))
			case "mov":
				nw.p("VMOV V%d.B16, V%d.B16", reg(f[2], h), reg(f[1], h))
			case "shl":
				nw.p("VSHL $%s, V%d.S4, V%d.S4", f[3], reg(f[2], h), reg(f[1], h))
			default:
				if op, ok := ops3[f[0]]; ok {
					nw.op3(op, reg(f[1], h), reg(f[2], h), reg(f[3], h))
				} else if op, ok := ops2[f[0]]; ok {
					nw.op2(op, reg(f[1], h), reg(f[2], h))
				} else {
					log.Fatalf("kernelgen: %s: unknown op in %q", name, line)
				}
			}
		}
	}
	loop := func(label string, body []string) {
		nw.label(label)
		for _, l := range body {
			emit(l)
		}
		for _, r := range neonEWPointers[:ptr] {
			nw.p("ADD $32, %s", r)
		}
		nw.p("SUBS $1, R6")
		nw.p("BNE %s", label)
	}

	fmt.Fprintf(w, "\n// func %s(%s)\n// %s\n", name, strings.Join(sig, ", "), k.doc)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", name, off)
	for _, l := range loads {
		nw.p("%s", l)
	}
	for _, l := range setup {
		nw.p("%s", l)
	}
	if flagArg != "" {
		nw.p("MOVBU %s, R7", flagArg)
	}
	nw.p("LSR $3, R6")
	nw.p("CBZ R6, %sdone", k.name)
	if flagArg != "" {
		nw.p("CBNZ R7, %sflag", k.name)
	}
	loop(k.name+"loop", nk.body)
	if flagArg != "" {
		nw.p("B %sdone", k.name)
		loop(k.name+"flag", nk.flagBody)
	}
	nw.label(k.name + "done")
	nw.p("RET")
}
