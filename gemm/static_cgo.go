//go:build static && cgo

package gemm

// A static build (-tags static) must not link the C library, which cgo
// brings in (through package net, among others): build it with
// CGO_ENABLED=0. This declaration stops a build with cgo on purpose, with
// that message in the compiler's error.
var _ int = "-tags static needs CGO_ENABLED=0"
