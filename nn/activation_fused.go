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
		rows := len(out) / cols
		parallelFor(rows, max(1, actGrain/cols), func(_, lo, hi int) {
			e.addRows(out[lo*cols:hi*cols], bias)
		})
		if e.rowwise(bias) {
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

// rowwise reports whether forward with this bias is a single pass of
// addRows: a bias followed by ReLU (a conv with batch norm folded in) or by
// no activation. Callers may then apply addRows to chunks of rows as they
// compute them, while they are in cache, instead of calling forward.
func (e *biasAct) rowwise(bias []float32) bool {
	return bias != nil && (e.act.op == OpReLU || e.act.identity())
}

// addRows adds bias to every row of out, and applies ReLU in the same pass
// when that is the activation, on the calling goroutine.
func (e *biasAct) addRows(out, bias []float32) {
	add := vecAdd
	if e.act.op == OpReLU {
		add = vecAddRelu
	}
	for r := 0; r+len(bias) <= len(out); r += len(bias) {
		add(out[r:r+len(bias)], bias)
	}
}

// backward returns the gradient with respect to the pre-activation values,
// given the layer's output and the upstream gradient gy. It returns gy itself
// when there is no activation.
func (e *biasAct) backward(out, gy []float32) []float32 {
	if e.act.identity() {
		return gy
	}
	e.gpre = grow(e.gpre, len(gy))
	e.backwardInto(out, gy, e.gpre)
	return e.gpre
}

// backwardInto is backward writing the gradient with respect to the
// pre-activation values into dst, which must not alias gy.
func (e *biasAct) backwardInto(out, gy, dst []float32) {
	if e.act.identity() {
		copy(dst, gy)
		return
	}
	var x []float32
	if e.act.needsInput() {
		x = e.pre
	}
	e.act.grad(x, out, gy, dst)
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
