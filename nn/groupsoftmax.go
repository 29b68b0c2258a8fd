package nn

import (
	"fmt"
	"math"
	"slices"

	"mlabel/tensor"
)

// groupSoftmaxLayer turns a softmax over each group of columns of [N, L]
// logits into per-label logits: column i of a group gets
//
//	o_i = z_i − log Σ_{j≠i} exp(z_j)      (the sum with 1 for a group with "none")
//
// which is logit(p_i) for the group's softmax probability p_i, so that a
// sigmoid of the output gives p_i back and the group's probabilities sum
// to 1 (or to at most 1 when the group allows none, whose logit is fixed at
// 0). Columns in no group pass through unchanged.
type groupSoftmaxLayer struct {
	shapeCheck
	groups [][]int
	none   []bool
}

// newGroupSoftmax checks the groups of attrs: each of two or more distinct
// columns, no column in two groups.
func newGroupSoftmax(a Attrs) (*groupSoftmaxLayer, error) {
	if len(a.GroupNone) != 0 && len(a.GroupNone) != len(a.LabelGroups) {
		return nil, fmt.Errorf("group_softmax: %d none flags for %d groups", len(a.GroupNone), len(a.LabelGroups))
	}
	if len(a.LabelGroups) == 0 {
		return nil, fmt.Errorf("group_softmax: no groups")
	}
	seen := map[int]bool{}
	l := &groupSoftmaxLayer{none: make([]bool, len(a.LabelGroups))}
	copy(l.none, a.GroupNone)
	for _, g := range a.LabelGroups {
		if len(g) < 2 {
			return nil, fmt.Errorf("group_softmax: group %v needs two or more columns", g)
		}
		for _, j := range g {
			if j < 0 || seen[j] {
				return nil, fmt.Errorf("group_softmax: column %d is negative or in two groups", j)
			}
			seen[j] = true
		}
		l.groups = append(l.groups, slices.Clone(g))
	}
	return l, nil
}

// OutShape returns the input's shape, [N, L], after checking that every
// group's columns are below L.
func (l *groupSoftmaxLayer) OutShape(in [][]int) ([]int, error) {
	s, err := sameShapeOut(in, 1)
	if err != nil {
		return nil, err
	}
	if len(s) != 2 {
		return nil, fmt.Errorf("group_softmax: input shape %v is not [N, L]", s)
	}
	for _, g := range l.groups {
		for _, j := range g {
			if j >= s[1] {
				return nil, fmt.Errorf("group_softmax: column %d of %d", j, s[1])
			}
		}
	}
	return slices.Clone(s), nil
}

// Params returns nil.
func (l *groupSoftmaxLayer) Params() []*Param { return nil }

// probs writes the softmax probability p and its complement q = 1 − p of
// each column of group k from the row's logits z, q summed from the other
// terms so that it keeps its precision when p is near 1.
func (l *groupSoftmaxLayer) probs(k int, z []float32, p, q []float64) {
	g := l.groups[k]
	m, base := math.Inf(-1), 0.0
	if l.none[k] {
		m = 0 // the none logit
	}
	for _, j := range g {
		m = max(m, float64(z[j]))
	}
	if l.none[k] {
		base = math.Exp(-m)
	}
	total := base
	for a, j := range g {
		p[a] = math.Exp(float64(z[j]) - m)
		total += p[a]
	}
	for a := range g {
		rest := base
		for b := range g {
			if b != a {
				rest += p[b]
			}
		}
		q[a] = rest / total
	}
	for a := range g {
		p[a] /= total
	}
}

// Forward writes each group column's logit of its softmax probability,
// log p − log(1 − p).
func (l *groupSoftmaxLayer) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) error {
	if err := l.check(l.OutShape, in, out); err != nil {
		return err
	}
	copy(out.Data, in[0].Data)
	cols := in[0].Shape[1]
	p, q := l.scratch()
	for r := range in[0].Shape[0] {
		z := in[0].Data[r*cols : (r+1)*cols]
		o := out.Data[r*cols : (r+1)*cols]
		for k, g := range l.groups {
			l.probs(k, z, p, q)
			for a, j := range g {
				o[j] = float32(math.Log(p[a]) - math.Log(q[a]))
			}
		}
	}
	return nil
}

// Backward: with q_i = 1 − p_i, ∂o_i/∂z_j = (δ_ij − p_j)/q_i, so the
// gradient of z_j is g_j/q_j − p_j Σ_i g_i/q_i over the group.
func (l *groupSoftmaxLayer) Backward(in []*tensor.Tensor, out, gradOut *tensor.Tensor, gradIn []*tensor.Tensor) error {
	if err := l.checkGrads(in, out, gradOut, gradIn); err != nil {
		return err
	}
	if gradIn[0] == nil {
		return nil
	}
	copy(gradIn[0].Data, gradOut.Data)
	cols := in[0].Shape[1]
	p, q := l.scratch()
	for r := range in[0].Shape[0] {
		z := in[0].Data[r*cols : (r+1)*cols]
		g := gradOut.Data[r*cols : (r+1)*cols]
		gz := gradIn[0].Data[r*cols : (r+1)*cols]
		for k, grp := range l.groups {
			l.probs(k, z, p, q)
			sum := 0.0
			for a, j := range grp {
				sum += float64(g[j]) / q[a]
			}
			for a, j := range grp {
				gz[j] = float32(float64(g[j])/q[a] - p[a]*sum)
			}
		}
	}
	return nil
}

// scratch returns buffers for the largest group's p and q.
func (l *groupSoftmaxLayer) scratch() (p, q []float64) {
	n := 0
	for _, g := range l.groups {
		n = max(n, len(g))
	}
	return make([]float64, n), make([]float64, n)
}

// AppendGroupSoftmax adds a group_softmax node named name after the spec's
// single output, over the given groups of output columns (none[k]: group k
// may hold no label), and makes it the output.
func AppendGroupSoftmax(s *Spec, name string, groups [][]int, none []bool) error {
	if len(s.Outputs) != 1 {
		return fmt.Errorf("nn: group softmax needs a network with one output, not %d", len(s.Outputs))
	}
	s.Nodes = append(s.Nodes, Node{Name: name, Op: OpGroupSoftmax, Inputs: []string{s.Outputs[0]},
		Attrs: Attrs{LabelGroups: groups, GroupNone: none}})
	s.Outputs = []string{name}
	return s.Validate()
}
