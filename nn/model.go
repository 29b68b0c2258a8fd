package nn

import (
	"fmt"
	"math/rand/v2"
	"time"

	"mlabel/tensor"
)

// Model is a built Spec: layers wired as a DAG with their parameters, and
// the activation and gradient buffers of the last batch shape.
//
// A Model is not safe for concurrent use; for concurrent inference, each
// goroutine runs its own Workspace (see Pool).
type Model struct {
	spec   *Spec
	nodes  []*gnode
	index  map[string]int
	input  int   // index of the input node
	outs   []int // indices of the outputs
	params []*Param
	byName map[string]*Param

	batchShape []int   // input shape the buffers were sized for
	pool       bufPool // gradient buffers of Backward
	timer      LayerTimer
	reuse      bool    // eval Forward recycles activation buffers
	kept       []bool  // per node: never recycled
	lastUse    []int   // per node: index of its last reader
	actPool    bufPool // activation buffers with reuse
	backOK     bool    // the last Forward succeeded, so Backward may run
	workspace  bool    // borrows another model's parameters: eval only
}

// gnode is one node of a built model.
type gnode struct {
	node      Node
	layer     layer // nil for the input node
	inputs    []int
	params    []*Param
	trainable bool // has a parameter with a gradient that is not frozen
	needGrad  bool // the gradient of this node's output is needed
	shape     []int
	out       *tensor.Tensor // output of the last Forward
	trainOut  *tensor.Tensor // persistent output buffer
	evalOut   *tensor.Tensor // pooled output buffer with activation reuse
	grad      *tensor.Tensor
	gradSet   bool // grad holds a value during the current Backward
	ins       []*tensor.Tensor
	gradIns   []*tensor.Tensor
	scratch   []*tensor.Tensor // per-input buffers for fan-out sums
	direct    []bool           // input k's gradient goes straight to its buffer
}

// Build validates spec and builds its layers. Parameters are initialised
// from rng by each layer. The input node's shape gives the sizes that layers
// with input-dependent parameters are built for; the batch size is taken
// from each Forward's input. A nil rng stands for a fixed seed, for models
// whose weights are loaded right after.
func Build(spec *Spec, rng *rand.Rand) (*Model, error) {
	if rng == nil {
		rng = rand.New(rand.NewPCG(0, 0))
	}
	return buildWith(spec, rng, newLayer)
}

// layerFactory makes the layer of one node; Build uses newLayer.
type layerFactory func(node Node, inShapes [][]int, rng *rand.Rand) (layer, error)

func buildWith(spec *Spec, rng *rand.Rand, newLayer layerFactory) (*Model, error) {
	return buildChecked(spec, rng, newLayer, &paramBudget{})
}

// buildChecked is buildWith with each node's declared parameters checked by
// budget before the node's layer allocates them.
func buildChecked(spec *Spec, rng *rand.Rand, newLayer layerFactory, budget *paramBudget) (*Model, error) {
	if rng == nil {
		rng = rand.New(rand.NewPCG(0, 0))
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	m := &Model{
		spec:   spec.Clone(),
		index:  make(map[string]int, len(spec.Nodes)),
		byName: make(map[string]*Param),
	}
	ws := &scratch{}
	shapes := make([][]int, len(spec.Nodes))
	for i, n := range m.spec.Nodes {
		g := &gnode{node: n}
		m.index[n.Name] = i
		for _, in := range n.Inputs {
			g.inputs = append(g.inputs, m.index[in])
		}
		inShapes := make([][]int, len(g.inputs))
		for k, j := range g.inputs {
			inShapes[k] = shapes[j]
		}
		if n.Op == OpInput {
			m.input = i
			shapes[i] = append([]int{1}, n.Attrs.Shape...)
			if err := checkActivation(n, shapes[i]); err != nil {
				return nil, err
			}
		} else {
			if err := budget.check(n, inShapes); err != nil {
				return nil, err
			}
			l, err := newLayer(n, inShapes, rng)
			if err != nil {
				return nil, fmt.Errorf("nn: build: %w", err)
			}
			sh, err := l.OutShape(inShapes)
			if err != nil {
				return nil, fmt.Errorf("nn: node %q: %w", n.Name, err)
			}
			if err := checkActivation(n, sh); err != nil {
				return nil, err
			}
			if u, ok := l.(scratchUser); ok {
				u.setScratch(ws)
			}
			g.layer, shapes[i] = l, sh
			g.params = l.Params()
		}
		for _, p := range g.params {
			if _, dup := m.byName[p.Name]; dup {
				return nil, fmt.Errorf("nn: node %q: duplicate parameter name %q", n.Name, p.Name)
			}
			m.byName[p.Name] = p
			m.params = append(m.params, p)
		}
		g.ins = make([]*tensor.Tensor, len(g.inputs))
		g.gradIns = make([]*tensor.Tensor, len(g.inputs))
		g.scratch = make([]*tensor.Tensor, len(g.inputs))
		g.direct = make([]bool, len(g.inputs))
		m.nodes = append(m.nodes, g)
	}
	for _, o := range m.spec.Outputs {
		m.outs = append(m.outs, m.index[o])
	}
	return m, nil
}

// Spec returns the model's graph. It must not be modified.
func (m *Model) Spec() *Spec { return m.spec }

// Params returns every parameter and buffer of the model in graph order.
func (m *Model) Params() []*Param { return m.params }

// Param returns the parameter with the given full name, or nil.
func (m *Model) Param(name string) *Param { return m.byName[name] }

// Forward runs the graph on the batch x, shaped [N, H, W, C], and returns the
// first output. train selects training behaviour (batch statistics,
// dropout). The returned tensor is owned by the model and overwritten by the
// next Forward.
func (m *Model) Forward(x *tensor.Tensor, train bool) (*tensor.Tensor, error) {
	m.backOK = false
	if train && m.workspace {
		return nil, errWorkspaceTrain
	}
	if err := m.prepare(x); err != nil {
		return nil, err
	}
	if m.reuse && !train {
		if err := m.forwardReuse(x); err != nil {
			return nil, err
		}
		return m.nodes[m.outs[0]].out, nil
	}
	for _, g := range m.nodes {
		if g.layer == nil {
			g.out = x
			continue
		}
		for k, j := range g.inputs {
			g.ins[k] = m.nodes[j].out
		}
		g.trainOut = tensor.Ensure(g.trainOut, g.shape...)
		g.out = g.trainOut
		if err := m.runForward(g, train); err != nil {
			return nil, err
		}
	}
	m.backOK = true
	return m.nodes[m.outs[0]].out, nil
}

// runForward runs one layer's forward pass into g.out, timing it when a
// timer is set.
func (m *Model) runForward(g *gnode, train bool) error {
	var t0 time.Time
	if m.timer != nil {
		t0 = time.Now()
	}
	if err := g.layer.Forward(g.ins, g.out, train); err != nil {
		return fmt.Errorf("nn: forward %q: %w", g.node.Name, err)
	}
	if m.timer != nil {
		m.timer(g.node, false, time.Since(t0))
	}
	return nil
}

// prepare checks x against the input node and recomputes every node's output
// shape when the input shape changed since the last call.
func (m *Model) prepare(x *tensor.Tensor) error {
	if x == nil {
		return fmt.Errorf("nn: forward: nil input")
	}
	want := m.nodes[m.input].node.Attrs.Shape
	if len(x.Shape) != 4 || x.Shape[0] <= 0 || x.Shape[3] != want[2] {
		return fmt.Errorf("nn: forward: input shape %v, want [N, H, W, %d] (built for %v)", x.Shape, want[2], want)
	}
	if len(x.Data) != tensor.Size(x.Shape) {
		return fmt.Errorf("nn: forward: input has %d values for shape %v", len(x.Data), x.Shape)
	}
	if tensor.SameShape(m.batchShape, x.Shape) {
		return nil
	}
	if err := m.inferShapes(x.Shape, func(g *gnode, sh []int) { g.shape = sh }); err != nil {
		return err
	}
	m.batchShape = append(m.batchShape[:0], x.Shape...)
	return nil
}

// inferShapes computes every node's output shape for the input shape in and
// hands each to set.
func (m *Model) inferShapes(in []int, set func(g *gnode, sh []int)) error {
	shapes := make([][]int, len(m.nodes))
	for i, g := range m.nodes {
		if g.layer == nil {
			shapes[i] = append([]int(nil), in...)
			set(g, shapes[i])
			continue
		}
		inShapes := make([][]int, len(g.inputs))
		for k, j := range g.inputs {
			inShapes[k] = shapes[j]
		}
		sh, err := g.layer.OutShape(inShapes)
		if err != nil {
			return fmt.Errorf("nn: node %q for input %v: %w", g.node.Name, in, err)
		}
		if err := checkActivation(g.node, sh); err != nil {
			return err
		}
		shapes[i] = sh
		set(g, sh)
	}
	return nil
}

// OutputShape returns the shape of output k for a batch of n images of the
// size the input node declares.
func (m *Model) OutputShape(k, n int) ([]int, error) {
	if k < 0 || k >= len(m.outs) {
		return nil, fmt.Errorf("nn: output %d of %d", k, len(m.outs))
	}
	in := m.nodes[m.input].node.Attrs.Shape
	var out []int
	err := m.inferShapes([]int{n, in[0], in[1], in[2]}, func(g *gnode, sh []int) {
		if g == m.nodes[m.outs[k]] {
			out = sh
		}
	})
	return out, err
}

// NumLabels returns the size of the last axis of the first output, which is
// the number of labels for a classifier.
func (m *Model) NumLabels() int {
	sh, err := m.OutputShape(0, 1)
	if err != nil || len(sh) == 0 {
		return 0
	}
	return sh[len(sh)-1]
}

// InputShape returns the [H, W, C] shape of the input node.
func (m *Model) InputShape() []int {
	return append([]int(nil), m.nodes[m.input].node.Attrs.Shape...)
}

// Output returns output k of the last Forward, or nil.
func (m *Model) Output(k int) *tensor.Tensor {
	if k < 0 || k >= len(m.outs) {
		return nil
	}
	return m.nodes[m.outs[k]].out
}

// Activation returns the output of the named node after the last Forward,
// or nil when there is no such node or no Forward ran. The tensor is owned
// by the model and overwritten by the next Forward.
func (m *Model) Activation(node string) *tensor.Tensor {
	i, ok := m.index[node]
	if !ok || m.nodes[i].out == nil || m.nodes[i].out.Data == nil {
		return nil
	}
	return m.nodes[i].out
}

// LayerTimer receives the duration of each layer's forward or backward pass.
type LayerTimer func(node Node, backward bool, d time.Duration)

// SetTimer installs t to time every layer pass, or removes the timer when t
// is nil. It is meant for profiling; timing costs two clock reads a layer.
func (m *Model) SetTimer(t LayerTimer) { m.timer = t }
