package nn

// biasAct is the epilogue shared by conv2d, dense and add: an optional
// per-channel bias followed by an optional activation, applied in place on a
// row-major [rows, cols] output. It keeps the pre-activation values when the
// activation's derivative needs them.
type biasAct struct {
	act  actFunc
	pre  []float32 // pre-activation copy, when act.needsInput()
	gpre []float32 // gradient with respect to the pre-activation
	sums chanSums  // bias gradient reduction
	zero []float32 // zero centre for sums
}

// forward adds bias (when not nil) to every row of out and applies the
// activation in place.
func (e *biasAct) forward(out, bias []float32, cols int) {
	if bias != nil {
		// ReLU after a bias (a conv with batch norm folded in) is one pass.
		fused := e.act.op == OpReLU
		add := vecAdd
		if fused {
			add = vecAddRelu
		}
		rows := len(out) / cols
		parallelFor(rows, max(1, actGrain/cols), func(_, lo, hi int) {
			for r := lo; r < hi; r++ {
				add(out[r*cols:(r+1)*cols], bias)
			}
		})
		if fused {
			return
		}
	}
	if e.act.identity() {
		return
	}
	if e.act.needsInput() {
		e.pre = grow(e.pre, len(out))
		copy(e.pre, out)
	}
	e.act.apply(out, out)
}

// backward returns the gradient with respect to the pre-activation values,
// given the layer's output and the upstream gradient gy. It returns gy itself
// when there is no activation.
func (e *biasAct) backward(out, gy []float32) []float32 {
	if e.act.identity() {
		return gy
	}
	e.gpre = grow(e.gpre, len(gy))
	var x []float32
	if e.act.needsInput() {
		x = e.pre
	}
	e.act.grad(x, out, gy, e.gpre)
	return e.gpre
}

// biasGrad adds the column sums of the row-major [rows, cols] matrix g to db.
func (e *biasAct) biasGrad(g []float32, cols int, db []float32) {
	if len(e.zero) != cols {
		e.zero = make([]float32, cols)
	}
	s, _ := e.sums.sums(g, g, e.zero, cols)
	for c, v := range s {
		db[c] += float32(v)
	}
}
