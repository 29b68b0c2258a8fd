package compare

import (
	"fmt"

	"mlabel/nn"
	"mlabel/tensor"
)

// branch is one trained network placed in a composed graph.
type branch struct {
	// Prefix names the branch's nodes and parameters ("joint/", "spec3/").
	Prefix  string
	Spec    *nn.Spec
	Weights map[string]*tensor.Tensor
}

// Node names of the composed graphs' heads.
const (
	inputNode    = "input"
	branchesNode = "branches"
	selectNode   = "select"
	stackNode    = "stack"
)

// compose places the branches side by side on one shared input node and
// concatenates their first outputs into the node "branches", which is the
// graph's output. All branches must take the same input shape.
func compose(branches []branch) (*nn.Spec, map[string]*tensor.Tensor, error) {
	if len(branches) == 0 {
		return nil, nil, fmt.Errorf("compare: compose: no branches")
	}
	spec := &nn.Spec{}
	weights := map[string]*tensor.Tensor{}
	var shape []int
	var outs []string
	for _, b := range branches {
		in, ok := b.Spec.InputNode()
		if !ok {
			return nil, nil, fmt.Errorf("compare: compose %s: no input node", b.Prefix)
		}
		if shape == nil {
			shape = in.Attrs.Shape
			spec.Nodes = append(spec.Nodes, nn.Node{Name: inputNode, Op: nn.OpInput, Attrs: nn.Attrs{Shape: shape}})
		} else if !tensor.SameShape(shape, in.Attrs.Shape) {
			return nil, nil, fmt.Errorf("compare: compose %s: input shape %v differs from %v", b.Prefix, in.Attrs.Shape, shape)
		}
		rename := func(name string) string {
			if name == in.Name {
				return inputNode
			}
			return b.Prefix + name
		}
		for _, n := range b.Spec.Nodes {
			if n.Op == nn.OpInput {
				continue
			}
			n.Name = rename(n.Name)
			n.Inputs = append([]string(nil), n.Inputs...)
			for i := range n.Inputs {
				n.Inputs[i] = rename(n.Inputs[i])
			}
			spec.Nodes = append(spec.Nodes, n)
		}
		for k, t := range b.Weights {
			weights[b.Prefix+k] = t
		}
		outs = append(outs, rename(b.Spec.Outputs[0]))
	}
	spec.Nodes = append(spec.Nodes, nn.Node{Name: branchesNode, Op: nn.OpConcat, Inputs: outs})
	spec.Outputs = []string{branchesNode}
	if err := spec.Validate(); err != nil {
		return nil, nil, fmt.Errorf("compare: compose: %w", err)
	}
	return spec, weights, nil
}

// addDense appends a dense layer named name over the "branches" node with
// the given weight [In, Out] (and bias when not nil) and makes it the
// graph's output.
func addDense(spec *nn.Spec, weights map[string]*tensor.Tensor, name string, w, b *tensor.Tensor) {
	spec.Nodes = append(spec.Nodes, nn.Node{Name: name, Op: nn.OpDense, Inputs: []string{branchesNode}, Attrs: nn.Attrs{Units: w.Shape[1], Bias: b != nil}})
	spec.Outputs = []string{name}
	weights[name+".weight"] = w
	if b != nil {
		weights[name+".bias"] = b
	}
}

// selector returns the fixed [In, L] 0/1 weight that copies column cols[j]
// of an In-wide input to output j.
func selector(in int, cols []int) *tensor.Tensor {
	w := tensor.New(in, len(cols))
	for j, c := range cols {
		w.Data[c*len(cols)+j] = 1
	}
	return w
}
