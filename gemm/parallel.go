package gemm

import (
	"runtime"
	"sync"
)

// minParallelFlops is the smallest problem, in floating-point operations,
// that is split across goroutines; below it the hand-off costs more than it
// saves.
const minParallelFlops = 1 << 21

// minPartFlops is the least work given to one goroutine.
const minPartFlops = 1 << 20

// problem is one call to the Go path, with k > 0 and alpha != 0.
type problem struct {
	kern        *kernel
	m, n, k     int
	alpha, beta float32
	a, b        matrix
	c           []float32
	ldc         int
}

// part is the piece of a problem that one goroutine computes: rows [i0,i1)
// and columns [j0,j1) of C over depth [p0,p1). When out is not nil, the
// piece is a partial sum over depth, stored as alpha·AB in out (row stride
// j1-j0) and added to C afterwards.
type part struct {
	pr                     *problem
	i0, i1, j0, j1, p0, p1 int
	out                    []float32
	wg                     *sync.WaitGroup
}

// run computes the part on the calling goroutine.
func (pt part) run() { pt.pr.solve(pt.i0, pt.i1, pt.j0, pt.j1, pt.p0, pt.p1, pt.out) }

// solve computes rows [i0,i1) and columns [j0,j1) of C over depth [p0,p1),
// into C, or as a partial sum into out when out is not nil.
func (pr *problem) solve(i0, i1, j0, j1, p0, p1 int, out []float32) {
	ws := workspaces.get()
	ws.reserve(pr.kern)
	a := pr.a.sub(i0, p0)
	b := pr.b.sub(p0, j0)
	m, n, k := i1-i0, j1-j0, p1-p0
	if out != nil {
		serial(pr.kern, ws, m, n, k, pr.alpha, a, b, 0, out, n)
	} else {
		serial(pr.kern, ws, m, n, k, pr.alpha, a, b, pr.beta, pr.c[i0*pr.ldc+j0:], pr.ldc)
	}
	workspaces.put(ws)
}

// call is the pooled state of one parallel call.
type call struct {
	pr      problem
	wg      sync.WaitGroup
	partial []float32
}

var calls freeList[call]

var (
	startWorkers sync.Once
	jobs         chan part
)

// worker runs parts handed to it until the process ends.
func worker() {
	for pt := range jobs {
		pt.run()
		pt.wg.Done()
	}
}

// split says how a problem is divided among goroutines.
type split struct {
	parts int
	dim   byte // 'm', 'n' or 'k'
}

// planSplit chooses how many goroutines share the problem and along which
// dimension. A is read in place and B is packed, so splitting the columns of
// C divides the packing of B among the goroutines while each reads all of A,
// and splitting the rows makes each pack all of B while reading part of A.
// Packing a value costs a few times more than reading one, so columns are
// split when C is no more than a few times taller than wide and the column
// tiles divide evenly; otherwise rows, when there are enough row tiles; else
// the depth, whose partial sums are added at the end.
func planSplit(kern *kernel, m, n, k, procs int) split {
	flops := 2 * m * n * k
	if procs < 2 || flops < minParallelFlops {
		return split{parts: 1, dim: 'm'}
	}
	p := min(procs, flops/minPartFlops)
	tm := (m + kern.mr - 1) / kern.mr
	tn := (n + kern.nr - 1) / kern.nr
	switch {
	case tn >= p && (tn%p == 0 || tn >= 3*p) && m <= 4*n:
		return split{parts: p, dim: 'n'}
	case tm >= 2*p || (tm >= p && tm >= tn):
		return split{parts: p, dim: 'm'}
	case tn >= p:
		return split{parts: p, dim: 'n'}
	case k >= 2*p*kern.kc:
		return split{parts: p, dim: 'k'}
	case tm >= tn:
		return split{parts: min(p, tm), dim: 'm'}
	default:
		return split{parts: min(p, tn), dim: 'n'}
	}
}

// bounds returns the start of piece i when total is cut into parts pieces
// whose sizes are multiples of unit, except possibly the last.
func bounds(i, parts, total, unit int) int {
	units := (total + unit - 1) / unit
	return min(total, (units*i/parts)*unit)
}

// runGo computes a problem on the Go path, across goroutines when it is big
// enough.
func runGo(pr *problem) {
	sp := planSplit(pr.kern, pr.m, pr.n, pr.k, runtime.GOMAXPROCS(0))
	if sp.parts == 1 {
		pr.solve(0, pr.m, 0, pr.n, 0, pr.k, nil)
		return
	}
	startWorkers.Do(func() {
		n := runtime.NumCPU()
		jobs = make(chan part, 16*n)
		for i := 0; i < n; i++ {
			go worker()
		}
	})
	cl := calls.get()
	cl.pr = *pr
	if sp.dim == 'k' {
		cl.partial = grow(cl.partial, (sp.parts-1)*pr.m*pr.n)
	}
	cl.wg.Add(sp.parts - 1)
	for i := 1; i < sp.parts; i++ {
		jobs <- cl.piece(i, sp)
	}
	cl.piece(0, sp).run()
	cl.wg.Wait()
	if sp.dim == 'k' {
		addPartials(pr, cl.partial, sp.parts-1)
	}
	cl.pr = problem{}
	calls.put(cl)
}

// piece returns part i of the call's problem under split sp.
func (cl *call) piece(i int, sp split) part {
	pr := &cl.pr
	pt := part{pr: pr, i1: pr.m, j1: pr.n, p1: pr.k, wg: &cl.wg}
	switch sp.dim {
	case 'm':
		pt.i0, pt.i1 = bounds(i, sp.parts, pr.m, pr.kern.mr), bounds(i+1, sp.parts, pr.m, pr.kern.mr)
	case 'n':
		pt.j0, pt.j1 = bounds(i, sp.parts, pr.n, pr.kern.nr), bounds(i+1, sp.parts, pr.n, pr.kern.nr)
	case 'k':
		pt.p0, pt.p1 = bounds(i, sp.parts, pr.k, 1), bounds(i+1, sp.parts, pr.k, 1)
		if i > 0 {
			size := pr.m * pr.n
			pt.out = cl.partial[(i-1)*size : i*size]
		}
	}
	return pt
}

// addPartials adds the count m×n partial sums in buf to C.
func addPartials(pr *problem, buf []float32, count int) {
	size := pr.m * pr.n
	for q := 0; q < count; q++ {
		src := buf[q*size : (q+1)*size]
		for i := 0; i < pr.m; i++ {
			dst := pr.c[i*pr.ldc : i*pr.ldc+pr.n]
			for j, v := range src[i*pr.n : (i+1)*pr.n] {
				dst[j] += v
			}
		}
	}
}
