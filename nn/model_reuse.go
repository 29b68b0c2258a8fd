package nn

import (
	"fmt"

	"mlabel/tensor"
)

// SetActivationReuse turns buffer recycling in eval-mode Forward on or off.
// When on, the output buffer of every node other than the input, the graph
// outputs and the nodes named in keep goes back to a pool once its last
// reader has run, so inference needs a few activation buffers instead of
// one per node. Activation then returns nil for recycled nodes, and
// Backward needs a training Forward first. Training Forward is unaffected.
func (m *Model) SetActivationReuse(on bool, keep ...string) error {
	kept := make([]bool, len(m.nodes))
	for _, name := range keep {
		i, ok := m.index[name]
		if !ok {
			return fmt.Errorf("nn: activation reuse: no node %q", name)
		}
		kept[i] = true
	}
	for _, o := range m.outs {
		kept[o] = true
	}
	m.releaseEval()
	m.reuse, m.kept = on, kept
	if m.lastUse == nil {
		m.lastUse = make([]int, len(m.nodes))
		for i, g := range m.nodes {
			for _, j := range g.inputs {
				m.lastUse[j] = i
			}
		}
	}
	return nil
}

// forwardReuse is Forward in eval mode with buffer recycling.
func (m *Model) forwardReuse(x *tensor.Tensor) error {
	m.releaseEval()
	for i, g := range m.nodes {
		if g.layer == nil {
			g.out = x
			continue
		}
		for k, j := range g.inputs {
			g.ins[k] = m.nodes[j].out
		}
		g.evalOut = m.actPool.acquire(g.evalOut, g.shape)
		g.out = g.evalOut
		if err := m.runForward(g, false); err != nil {
			return err
		}
		for _, j := range g.inputs {
			src := m.nodes[j]
			if m.lastUse[j] == i && !m.kept[j] && src.layer != nil && src.out != nil {
				m.actPool.release(src.evalOut)
				src.out = nil
			}
		}
	}
	return nil
}

// releaseEval returns every eval buffer still held to the pool and points
// the nodes back at their training buffers.
func (m *Model) releaseEval() {
	for _, g := range m.nodes {
		if g.evalOut != nil {
			m.actPool.release(g.evalOut)
		}
		g.out = g.trainOut
	}
}
