//go:build static

package gemm

// staticBuild reports whether the tests were built with -tags static.
const staticBuild = true
