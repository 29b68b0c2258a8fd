package optim

import (
	"runtime"
	"sync"
)

// minChunk is the number of elements below which an update stays on one
// goroutine.
const minChunk = 1 << 15

// parallel runs fn over [0, n) in contiguous parts, one per available core
// when n is large enough to pay for it. Each element's update reads and
// writes that element alone, so the result does not depend on the split.
func parallel(n int, fn func(lo, hi int)) {
	k := min(runtime.GOMAXPROCS(0), n/minChunk)
	if k <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for c := range k {
		lo, hi := c*n/k, (c+1)*n/k
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}
