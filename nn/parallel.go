package nn

import (
	"runtime"
	"sync"
)

// numParts returns how many parts parallelFor splits n items into when each
// part must hold at least grain items. It is at least 1.
func numParts(n, grain int) int {
	if grain < 1 {
		grain = 1
	}
	p := runtime.GOMAXPROCS(0)
	if m := n / grain; m < p {
		p = m
	}
	if p < 1 {
		p = 1
	}
	return p
}

// parallelFor splits the items 0..n-1 into numParts(n, grain) contiguous
// ranges and calls fn(part, lo, hi) for each range, concurrently when there is
// more than one. part indexes per-part scratch such as partial sums. It
// returns when every call has returned.
func parallelFor(n, grain int, fn func(part, lo, hi int)) {
	if n <= 0 {
		return
	}
	p := numParts(n, grain)
	if p == 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Add(p - 1)
	for i := 1; i < p; i++ {
		go func(i int) {
			defer wg.Done()
			fn(i, i*n/p, (i+1)*n/p)
		}(i)
	}
	fn(0, 0, n/p)
	wg.Wait()
}

// grow returns buf resliced to n elements, reallocating only when its
// capacity is too small. The contents are not cleared.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// growInt32 is grow for int32 slices.
func growInt32(buf []int32, n int) []int32 {
	if cap(buf) < n {
		return make([]int32, n)
	}
	return buf[:n]
}

// grow64 is grow for float64 slices.
func grow64(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}
