package nn

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"mlabel/tensor"
)

// Backward propagates gradOut, the gradient of the loss with respect to the
// first output of the last Forward, through the graph. Parameter gradients
// are added to Param.Grad (call ZeroGrad between steps). Layers that neither
// hold trainable parameters nor lead to one are skipped, and no gradient is
// computed for the input.
func (m *Model) Backward(gradOut *tensor.Tensor) error {
	if !m.backOK {
		return errors.New("nn: backward: no forward pass for the current batch shape")
	}
	out := m.nodes[m.outs[0]]
	if gradOut == nil || !tensor.SameShape(gradOut.Shape, out.shape) || len(gradOut.Data) != len(out.out.Data) {
		var sh []int
		if gradOut != nil {
			sh = gradOut.Shape
		}
		return fmt.Errorf("nn: backward: gradient shape %v, want output shape %v", sh, out.shape)
	}
	m.updateGradFlags() // cheap, and sees Frozen marks set on Params directly
	for _, g := range m.nodes {
		g.gradSet = false
	}
	if !out.needGrad {
		return nil
	}
	out.grad = m.pool.acquire(out.grad, out.shape)
	copy(out.grad.Data, gradOut.Data)
	out.gradSet = true
	defer m.releaseGrads()
	for i := len(m.nodes) - 1; i >= 0; i-- {
		g := m.nodes[i]
		if g.layer == nil || !g.gradSet || !g.needGrad {
			continue
		}
		if err := m.backwardNode(g); err != nil {
			return err
		}
		m.pool.release(g.grad)
	}
	return nil
}

// releaseGrads returns every gradient buffer still held to the pool, so
// that the next Backward finds them all free.
func (m *Model) releaseGrads() {
	for _, g := range m.nodes {
		m.pool.release(g.grad)
		for _, s := range g.scratch {
			m.pool.release(s)
		}
	}
}

// backwardNode runs one layer's backward pass and routes the input
// gradients: the first consumer to reach an input writes its gradient
// buffer directly, later ones write a scratch buffer that is then added.
func (m *Model) backwardNode(g *gnode) error {
	for k, j := range g.inputs {
		src := m.nodes[j]
		g.gradIns[k], g.direct[k] = nil, false
		if !src.needGrad {
			continue
		}
		if !src.gradSet && !takenBefore(g, k) {
			src.grad = m.pool.acquire(src.grad, src.shape)
			g.gradIns[k], g.direct[k] = src.grad, true
			continue
		}
		g.scratch[k] = m.pool.acquire(g.scratch[k], src.shape)
		g.gradIns[k] = g.scratch[k]
	}
	var t0 time.Time
	if m.timer != nil {
		t0 = time.Now()
	}
	if err := g.layer.Backward(g.ins, g.out, g.grad, g.gradIns); err != nil {
		return fmt.Errorf("nn: backward %q: %w", g.node.Name, err)
	}
	if m.timer != nil {
		m.timer(g.node, true, time.Since(t0))
	}
	for k, j := range g.inputs {
		src := m.nodes[j]
		switch {
		case g.gradIns[k] == nil:
		case g.direct[k]:
			src.gradSet = true
		default:
			addInto(src.grad.Data, g.gradIns[k].Data)
			m.pool.release(g.scratch[k])
		}
	}
	return nil
}

// takenBefore reports whether an earlier input position of g reads the same
// node as position k and already writes its gradient buffer directly.
func takenBefore(g *gnode, k int) bool {
	for p := 0; p < k; p++ {
		if g.inputs[p] == g.inputs[k] && g.direct[p] {
			return true
		}
	}
	return false
}

func addInto(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}

// updateGradFlags marks which layers hold trainable parameters and which
// nodes' output gradients are needed.
func (m *Model) updateGradFlags() {
	for _, g := range m.nodes {
		g.trainable = false
		for _, p := range g.params {
			if p.Grad != nil && !p.Frozen {
				g.trainable = true
			}
		}
		g.needGrad = g.layer != nil && g.trainable
		for _, j := range g.inputs {
			if m.nodes[j].needGrad {
				g.needGrad = g.layer != nil
			}
		}
	}
}

// ZeroGrad sets every parameter gradient to zero.
func (m *Model) ZeroGrad() {
	for _, p := range m.params {
		if p.Grad != nil {
			p.Grad.Zero()
		}
	}
}

// Freeze marks every parameter whose name starts with prefix as frozen and
// returns how many it matched. Frozen parameters are left out of
// optimisation, and layers that need no gradient are skipped by Backward.
// An empty prefix matches every parameter.
func (m *Model) Freeze(prefix string) int { return m.setFrozen(prefix, true) }

// Unfreeze clears the frozen mark of every parameter whose name starts with
// prefix and returns how many it matched.
func (m *Model) Unfreeze(prefix string) int { return m.setFrozen(prefix, false) }

func (m *Model) setFrozen(prefix string, frozen bool) int {
	n := 0
	for _, p := range m.params {
		if strings.HasPrefix(p.Name, prefix) {
			p.Frozen = frozen
			n++
		}
	}
	return n
}
