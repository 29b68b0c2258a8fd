package nn

import (
	"fmt"
	"slices"
)

// Cut returns the sub-graph that computes node at: at and its ancestors, in
// their original order, with at as the only output. It is how a backbone is
// taken from a classifier for transfer learning.
func Cut(spec *Spec, at string) (*Spec, error) {
	if err := spec.Validate(); err != nil {
		return nil, fmt.Errorf("nn: cut: %w", err)
	}
	keep := ancestors(spec, at)
	if keep == nil {
		return nil, fmt.Errorf("nn: cut: no node %q", at)
	}
	out := &Spec{Outputs: []string{at}}
	for _, n := range spec.Clone().Nodes {
		if keep[n.Name] {
			out.Nodes = append(out.Nodes, n)
		}
	}
	return out, nil
}

// ancestors returns the set of at and every node it depends on, or nil when
// there is no node at.
func ancestors(spec *Spec, at string) map[string]bool {
	if _, ok := spec.Node(at); !ok {
		return nil
	}
	keep := map[string]bool{at: true}
	for i := len(spec.Nodes) - 1; i >= 0; i-- {
		n := spec.Nodes[i]
		if keep[n.Name] {
			for _, in := range n.Inputs {
				keep[in] = true
			}
		}
	}
	return keep
}

// LastFeatureMap returns the last node with a 4-D [N, H, W, C] output before
// the first global pooling or flatten on the path to the first output: the
// feature map used for class-activation maps and for cutting a backbone.
func LastFeatureMap(spec *Spec) (string, error) {
	if err := spec.Validate(); err != nil {
		return "", fmt.Errorf("nn: last feature map: %w", err)
	}
	keep := ancestors(spec, spec.Outputs[0])
	reducing := []Op{OpGlobalAvgPool, OpGlobalMaxPool, OpFlatten}
	for _, n := range spec.Nodes {
		if keep[n.Name] && slices.Contains(reducing, n.Op) {
			return n.Inputs[0], nil
		}
	}
	return "", fmt.Errorf("nn: last feature map: no global pooling or flatten before output %q", spec.Outputs[0])
}
