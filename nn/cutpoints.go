package nn

import (
	"fmt"
	"slices"
)

// CutPoint is a node a backbone can be cut at for a new head: the end of a
// block, whose output is a feature map.
type CutPoint struct {
	Name string
	Op   Op
	// Shape is the feature map's [H, W, C] for the spec's input size.
	Shape []int
}

// followUps are the ops that finish a block started by the node before
// them: a cut lands after them, not before.
var followUps = []Op{OpBatchNorm, OpScaleShift, OpReLU, OpLeakyReLU, OpReLU6, OpSiLU, OpHardSwish}

// CutPoints lists, in the spec's order, the nodes whose output is a
// feature map ([N, H, W, C]) and that do not hand it on to a batch
// normalisation or an activation alone (a convolution followed by its
// activation is cut after the activation).
func CutPoints(spec *Spec) ([]CutPoint, error) {
	m, err := Build(spec, nil)
	if err != nil {
		return nil, fmt.Errorf("nn: cut points: %w", err)
	}
	in, ok := spec.InputNode()
	if !ok {
		return nil, fmt.Errorf("nn: cut points: spec has no input node")
	}
	shapes := map[string][]int{}
	if err := m.inferShapes(append([]int{1}, in.Attrs.Shape...), func(g *gnode, sh []int) { shapes[g.node.Name] = sh }); err != nil {
		return nil, fmt.Errorf("nn: cut points: %w", err)
	}
	consumers := spec.consumers()
	var out []CutPoint
	for _, n := range spec.Nodes {
		sh := shapes[n.Name]
		if n.Op == OpInput || len(sh) != 4 {
			continue
		}
		if c := consumers[n.Name]; len(c) == 1 {
			if next, _ := spec.Node(c[0]); slices.Contains(followUps, next.Op) {
				continue
			}
		}
		out = append(out, CutPoint{Name: n.Name, Op: n.Op, Shape: slices.Clone(sh[1:])})
	}
	return out, nil
}
