package nn

import (
	"fmt"
	"math"
	"slices"

	"mlabel/tensor"
)

// Fuse rewrites an inference graph for speed, with the same eval-mode
// outputs, by the fusion rules of the op table, in three passes:
//   - nodes that do nothing in eval mode (dropout) are removed;
//   - a node that folds into its producer (a BatchNorm into a conv2d), when
//     that producer is read by nothing else, is folded into it with its
//     running statistics, and the conv gains a bias;
//   - an activation that fuses (ReLU, ReLU6, LeakyReLU) whose input is a
//     node that takes a fused activation (conv2d, dense, add), read by
//     nothing else and without an activation, becomes that node's Act.
//
// The surviving node keeps its name (the conv's, for conv+BN+ReLU), and
// references to removed nodes, outputs included, point to it. The returned
// map holds new tensors for the changed parameters and shares the others
// with w. spec and w are not modified.
func Fuse(spec *Spec, w map[string]*tensor.Tensor) (*Spec, map[string]*tensor.Tensor, error) {
	if err := spec.Validate(); err != nil {
		return nil, nil, fmt.Errorf("nn: fuse: %w", err)
	}
	s := spec.Clone()
	out := make(map[string]*tensor.Tensor, len(w))
	for k, v := range w {
		out[k] = v
	}
	for _, n := range slices.Clone(s.Nodes) {
		if ops[n.Op].evalIdentity {
			bypass(s, n.Name, n.Inputs[0])
		}
	}
	for _, n := range slices.Clone(s.Nodes) {
		info := ops[n.Op]
		if info.fold == nil {
			continue
		}
		pi := fusableProducer(s, n, func(op Op) bool { return op == info.foldInto })
		if pi < 0 {
			continue
		}
		if err := info.fold(&s.Nodes[pi], n, out); err != nil {
			return nil, nil, fmt.Errorf("nn: fuse %q into %q: %w", n.Name, s.Nodes[pi].Name, err)
		}
		bypass(s, n.Name, s.Nodes[pi].Name)
	}
	for _, n := range slices.Clone(s.Nodes) {
		info := ops[n.Op]
		if !info.fusesAsAct {
			continue
		}
		pi := fusableProducer(s, n, func(op Op) bool { return ops[op].takesAct })
		if pi < 0 {
			continue
		}
		s.Nodes[pi].Attrs.Act = n.Op
		if info.actAttrs != nil {
			info.actAttrs(&s.Nodes[pi].Attrs, n.Attrs)
		}
		bypass(s, n.Name, s.Nodes[pi].Name)
	}
	if err := s.Validate(); err != nil {
		return nil, nil, fmt.Errorf("nn: fuse produced an invalid graph: %w", err)
	}
	return s, out, nil
}

// fusableProducer returns the index of n's single input when that node's
// op passes want, it has no activation, is not a graph output and is read
// by n alone; otherwise -1.
func fusableProducer(s *Spec, n Node, want func(Op) bool) int {
	if len(n.Inputs) != 1 {
		return -1
	}
	name := n.Inputs[0]
	if slices.Contains(s.Outputs, name) {
		return -1
	}
	idx, readers := -1, 0
	for i, m := range s.Nodes {
		if m.Name == name {
			idx = i
		}
		for _, in := range m.Inputs {
			if in == name {
				readers++
			}
		}
	}
	if idx < 0 || readers != 1 || !want(s.Nodes[idx].Op) || s.Nodes[idx].Attrs.Act != "" {
		return -1
	}
	return idx
}

// bypass removes node name from s and makes every reference to it, outputs
// included, refer to node to instead.
func bypass(s *Spec, name, to string) {
	nodes := s.Nodes[:0]
	for _, n := range s.Nodes {
		if n.Name == name {
			continue
		}
		for k, in := range n.Inputs {
			if in == name {
				n.Inputs[k] = to
			}
		}
		nodes = append(nodes, n)
	}
	s.Nodes = nodes
	for k, o := range s.Outputs {
		if o == name {
			s.Outputs[k] = to
		}
	}
}

// foldBatchNorm folds the eval-mode batch norm bn into conv: with
// s = gamma/sqrt(var+eps), W' = W·s per output channel and
// b' = (b - mean)·s + beta. It replaces the conv's tensors in w and deletes
// the batch norm's.
func foldBatchNorm(conv *Node, bn Node, w map[string]*tensor.Tensor) error {
	get := func(name string) (*tensor.Tensor, error) {
		t, ok := w[name]
		if !ok || t == nil {
			return nil, fmt.Errorf("missing weight %q", name)
		}
		return t, nil
	}
	wt, err := get(conv.Name + ".weight")
	if err != nil {
		return err
	}
	cout := wt.Shape[len(wt.Shape)-1]
	bnT := make([]*tensor.Tensor, 4)
	for i, p := range []string{"gamma", "beta", "running_mean", "running_var"} {
		if bnT[i], err = get(bn.Name + "." + p); err != nil {
			return err
		}
		if len(bnT[i].Data) != cout {
			return fmt.Errorf("%s.%s has %d values for %d channels", bn.Name, p, len(bnT[i].Data), cout)
		}
		delete(w, bn.Name+"."+p)
	}
	gamma, beta, mean, variance := bnT[0].Data, bnT[1].Data, bnT[2].Data, bnT[3].Data
	eps := bn.Attrs.Eps
	if eps == 0 {
		eps = 1e-5
	}
	scale := make([]float32, cout)
	for o := range scale {
		scale[o] = float32(float64(gamma[o]) / math.Sqrt(float64(variance[o])+eps))
	}
	nw := wt.Clone()
	for i := range nw.Data {
		nw.Data[i] *= scale[i%cout]
	}
	nb := tensor.New(cout)
	if conv.Attrs.Bias {
		b, err := get(conv.Name + ".bias")
		if err != nil {
			return err
		}
		copy(nb.Data, b.Data)
	}
	for o := range nb.Data {
		nb.Data[o] = (nb.Data[o]-mean[o])*scale[o] + beta[o]
	}
	w[conv.Name+".weight"], w[conv.Name+".bias"] = nw, nb
	conv.Attrs.Bias = true
	return nil
}
