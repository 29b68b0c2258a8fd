package nn

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
)

// Workspace returns a model for eval-mode forward passes that shares m's
// graph and parameter tensors but has layers, scratch buffers and
// activations of its own, so that it runs concurrently with m and with
// m's other workspaces. It takes m's activation-reuse setting. Its
// parameters are m's (changing m's weights changes its outputs; do not
// while it runs) and have no gradients: a workspace refuses a training
// Forward, and its Backward has nothing to do.
func (m *Model) Workspace() (*Model, error) {
	newLayer := func(node Node, inShapes [][]int, _ *rand.Rand) (layer, error) {
		return (&builder{rng: nil, shared: m.byName}).layer(node, inShapes)
	}
	w, err := buildChecked(m.spec, nil, newLayer, &paramBudget{})
	if err != nil {
		return nil, fmt.Errorf("nn: workspace: %w", err)
	}
	for _, p := range w.params {
		if !p.borrowed {
			return nil, fmt.Errorf("nn: workspace: parameter %q is not the model's", p.Name)
		}
	}
	w.workspace = true
	w.reuse = m.reuse
	w.kept = slices.Clone(m.kept)
	w.lastUse = slices.Clone(m.lastUse)
	return w, nil
}

// errWorkspaceTrain is returned by a workspace's training Forward.
var errWorkspaceTrain = errors.New("nn: forward: a workspace runs in eval mode only")

// Pool hands out workspaces of one model (see Model.Workspace) so that
// forward passes run concurrently without a lock around the network: each
// caller takes a workspace with Get, runs eval-mode Forward passes on it
// and gives it back with Put. Workspaces are made on demand and kept for
// reuse, so the pool holds as many as ran at once. A Pool is safe for
// concurrent use.
type Pool struct {
	m    *Model
	mu   sync.Mutex
	free []*Model
}

// NewPool returns an empty pool of m's workspaces. Settings of m made
// afterwards (activation reuse) reach only workspaces made afterwards.
func NewPool(m *Model) *Pool { return &Pool{m: m} }

// Get returns a free workspace, or a new one when none is free.
func (p *Pool) Get() (*Model, error) {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		w := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return w, nil
	}
	p.mu.Unlock()
	return p.m.Workspace()
}

// Put gives back a workspace that Get returned; its outputs may be
// overwritten from then on.
func (p *Pool) Put(w *Model) {
	if w == nil {
		return
	}
	p.mu.Lock()
	p.free = append(p.free, w)
	p.mu.Unlock()
}
