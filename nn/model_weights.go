package nn

import (
	"fmt"
	"sort"
	"strings"

	"mlabel/tensor"
)

// Weights returns every parameter and buffer by full name. The tensors are
// the model's own: writing them changes the model.
func (m *Model) Weights() map[string]*tensor.Tensor {
	w := make(map[string]*tensor.Tensor, len(m.params))
	for _, p := range m.params {
		w[p.Name] = p.Value
	}
	return w
}

// Load builds the network of spec with the weights w, as stored in a model
// file: w must hold every parameter, so the model depends on w alone. Every
// parameter size the spec declares is checked against w before anything is
// allocated, so a spec that declares more than its weights hold is refused
// with an error instead of exhausting memory.
func Load(spec *Spec, w map[string]*tensor.Tensor) (*Model, error) {
	if w == nil {
		w = map[string]*tensor.Tensor{}
	}
	m, err := buildChecked(spec, nil, newLayer, &paramBudget{want: w})
	if err != nil {
		return nil, fmt.Errorf("nn: load: %w", err)
	}
	if err := m.SetWeights(w); err != nil {
		return nil, fmt.Errorf("nn: load: %w", err)
	}
	return m, nil
}

// SetWeights copies w into the model's parameters. It is strict: w must hold
// exactly the model's parameter names, each with the parameter's shape. On
// error no parameter is changed.
func (m *Model) SetWeights(w map[string]*tensor.Tensor) error {
	var missing, unknown []string
	for _, p := range m.params {
		if _, ok := w[p.Name]; !ok {
			missing = append(missing, p.Name)
		}
	}
	for name := range w {
		if _, ok := m.byName[name]; !ok {
			unknown = append(unknown, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("nn: set weights: %d parameters missing: %s", len(missing), listNames(missing))
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("nn: set weights: %d names the model lacks: %s", len(unknown), listNames(unknown))
	}
	_, err := m.SetWeightsPartial(w)
	return err
}

// SetWeightsPartial copies the tensors of w into the parameters of the same
// names and returns the names of the model's parameters that w lacks, in
// graph order (for example a new head after transfer learning). Names in w
// that the model lacks are ignored (for example the old head of a
// pretrained classifier cut into a backbone). A shape that differs is an
// error, and then no parameter is changed.
func (m *Model) SetWeightsPartial(w map[string]*tensor.Tensor) (missing []string, err error) {
	for name, t := range w {
		p, ok := m.byName[name]
		if !ok {
			continue
		}
		if t == nil || !tensor.SameShape(t.Shape, p.Value.Shape) || len(t.Data) != len(p.Value.Data) {
			var sh []int
			if t != nil {
				sh = t.Shape
			}
			return nil, fmt.Errorf("nn: set weights: %q has shape %v, model wants %v", name, sh, p.Value.Shape)
		}
	}
	for _, p := range m.params {
		t, ok := w[p.Name]
		if !ok {
			missing = append(missing, p.Name)
			continue
		}
		copy(p.Value.Data, t.Data)
	}
	return missing, nil
}

// listNames joins up to eight names for an error message.
func listNames(names []string) string {
	const max = 8
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:max], ", ") + fmt.Sprintf(", ... (%d more)", len(names)-max)
}

// FLOPs returns the floating-point operations of one forward pass of one
// h×w image, counting two per multiply-add of the convolutions and dense
// layers, or -1 when the graph does not accept that size.
func (m *Model) FLOPs(h, w int) int64 {
	c := m.nodes[m.input].node.Attrs.Shape[2]
	shapes := make(map[*gnode][]int, len(m.nodes))
	if err := m.inferShapes([]int{1, h, w, c}, func(g *gnode, sh []int) { shapes[g] = sh }); err != nil {
		return -1
	}
	var total int64
	for _, g := range m.nodes {
		f := ops[g.node.Op].flops
		if f == nil {
			continue
		}
		in := make([][]int, len(g.inputs))
		for k, j := range g.inputs {
			in[k] = shapes[m.nodes[j]]
		}
		total += f(g.node, in, shapes[g])
	}
	return total
}

// NumParams returns the number of trainable values (parameters that have a
// gradient, frozen or not).
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.params {
		if p.Grad != nil {
			n += len(p.Value.Data)
		}
	}
	return n
}
