// Command nocgo multiplies two small matrices through package gemm and prints
// the backend used and whether the product is right. The tests build it with
// CGO_ENABLED=0.
package main

import (
	"fmt"
	"os"

	"mlabel/gemm"
)

func main() {
	if err := gemm.Init(); err != nil {
		fmt.Println("init error:", err)
	}
	const m, n, k = 3, 40, 5
	a := make([]float32, m*k)
	b := make([]float32, k*n)
	for i := range a {
		a[i] = float32(i%7) - 3
	}
	for i := range b {
		b[i] = float32(i%5) - 2
	}
	c := make([]float32, m*n)
	gemm.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a[i*k+p] * b[p*n+j]
			}
			if c[i*n+j] != s {
				fmt.Printf("wrong: C[%d,%d] = %g, want %g\n", i, j, c[i*n+j], s)
				os.Exit(1)
			}
		}
	}
	fmt.Println("backend:", gemm.Describe())
}
