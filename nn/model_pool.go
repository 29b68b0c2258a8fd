package nn

import "mlabel/tensor"

// bufPool recycles float32 buffers between the gradient tensors of one
// backward pass: a node's output gradient is released once its layer has
// run, so the pass needs a few buffers instead of one per node. Requests
// come in the same order every step, so after the first step of a batch
// shape every request is met from the pool.
type bufPool struct {
	free [][]float32
}

// get returns a buffer of length n: the smallest free one that fits, or a
// new one.
func (p *bufPool) get(n int) []float32 {
	best := -1
	for i, b := range p.free {
		if cap(b) >= n && (best < 0 || cap(b) < cap(p.free[best])) {
			best = i
		}
	}
	if best < 0 {
		return make([]float32, n)
	}
	b := p.free[best]
	p.free[best] = p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	return b[:n]
}

// put returns b to the pool.
func (p *bufPool) put(b []float32) {
	if cap(b) > 0 {
		p.free = append(p.free, b)
	}
}

// acquire points t (allocating its header when nil) at a pooled buffer of
// the given shape and returns it.
func (p *bufPool) acquire(t *tensor.Tensor, shape []int) *tensor.Tensor {
	if t == nil {
		t = &tensor.Tensor{}
	}
	t.Shape = append(t.Shape[:0], shape...)
	t.Data = p.get(tensor.Size(shape))
	return t
}

// release gives t's buffer back to the pool and detaches it from t.
func (p *bufPool) release(t *tensor.Tensor) {
	if t != nil && t.Data != nil {
		p.put(t.Data)
		t.Data = nil
	}
}
