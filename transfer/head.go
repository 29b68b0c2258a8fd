package transfer

import (
	"fmt"
	"strings"

	"mlabel/nn"
	"mlabel/tensor"
)

// HeadSpec returns a network that maps cached feature vectors of length dim,
// given as [N, 1, 1, dim] inputs, to numLabels logits through a dense layer
// named HeadNode: the same parameters as the head arch.Head puts on a
// backbone, so that weights trained here load into the full network.
func HeadSpec(dim, numLabels int) (*nn.Spec, error) {
	if dim < 1 || numLabels < 1 {
		return nil, fmt.Errorf("transfer: head of %d features and %d labels", dim, numLabels)
	}
	s := &nn.Spec{
		Nodes: []nn.Node{
			{Name: "features", Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{1, 1, dim}}},
			{Name: "features_pool", Op: nn.OpGlobalAvgPool, Inputs: []string{"features"}},
			{Name: HeadNode, Op: nn.OpDense, Inputs: []string{"features_pool"}, Attrs: nn.Attrs{Units: numLabels, Bias: true}},
		},
		Outputs: []string{HeadNode},
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("transfer: head: %w", err)
	}
	return s, nil
}

// Batch gathers images idx into a batch for a head built by HeadSpec:
// x [B, 1, 1, D] takes image idx[j]'s features from view views[j], and y and
// mask [B, L] their targets. The tensors are reused when their shapes fit.
func (f *Features) Batch(idx, views []int, x, y, mask *tensor.Tensor) (*tensor.Tensor, *tensor.Tensor, *tensor.Tensor, error) {
	if len(views) != len(idx) {
		return nil, nil, nil, fmt.Errorf("transfer: batch of %d images with %d views", len(idx), len(views))
	}
	d, l := f.Dim(), f.Y.Shape[1]
	x = tensor.Ensure(x, len(idx), 1, 1, d)
	y = tensor.Ensure(y, len(idx), l)
	mask = tensor.Ensure(mask, len(idx), l)
	for j, i := range idx {
		if i < 0 || i >= f.Len() || views[j] < 0 || views[j] >= len(f.Views) {
			return nil, nil, nil, fmt.Errorf("transfer: batch: image %d view %d out of range (%d images, %d views)", i, views[j], f.Len(), len(f.Views))
		}
		copy(x.Data[j*d:(j+1)*d], f.Views[views[j]].Data[i*d:(i+1)*d])
		copy(y.Data[j*l:(j+1)*l], f.Y.Data[i*l:(i+1)*l])
		copy(mask.Data[j*l:(j+1)*l], f.Mask.Data[i*l:(i+1)*l])
	}
	return x, y, mask, nil
}

// WeightsFor returns the tensors of w that belong to spec's nodes: the
// pretrained weights a backbone keeps after it is cut. Parameter names are
// "<node>.<param>".
func WeightsFor(spec *nn.Spec, w map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	for name, t := range w {
		i := strings.LastIndexByte(name, '.')
		if i < 0 {
			continue
		}
		if _, ok := spec.Node(name[:i]); ok {
			out[name] = t
		}
	}
	return out
}
