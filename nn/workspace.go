package nn

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
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
// reuse, up to a limit: Get waits while that many are out, which bounds
// the memory their buffers take. A Pool is safe for concurrent use.
type Pool struct {
	m     *Model
	slots chan struct{} // one token per workspace out
	mu    sync.Mutex
	free  []*Model
}

// NewPool returns an empty pool of at most limit workspaces of m at once;
// a limit below 1 stands for GOMAXPROCS, as more concurrent passes than
// cores only cost memory. Settings of m made afterwards (activation
// reuse) reach only workspaces made afterwards.
func NewPool(m *Model, limit int) *Pool {
	if limit < 1 {
		limit = runtime.GOMAXPROCS(0)
	}
	return &Pool{m: m, slots: make(chan struct{}, limit)}
}

// Get returns a free workspace, or a new one when none is free, waiting
// while the pool's limit of workspaces is out.
func (p *Pool) Get() (*Model, error) {
	p.slots <- struct{}{}
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		w := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return w, nil
	}
	p.mu.Unlock()
	w, err := p.m.Workspace()
	if err != nil {
		<-p.slots
		return nil, err
	}
	return w, nil
}

// Put gives back a workspace that Get returned; its outputs may be
// overwritten from then on. Each Get is matched by one Put.
func (p *Pool) Put(w *Model) {
	if w == nil {
		return
	}
	p.mu.Lock()
	p.free = append(p.free, w)
	p.mu.Unlock()
	<-p.slots
}
