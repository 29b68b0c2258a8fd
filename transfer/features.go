package transfer

import (
	"context"
	"fmt"

	"mlabel/dataset"
	"mlabel/loader"
	"mlabel/nn"
	"mlabel/tensor"
)

// HeadNode is the name of the dense layer that arch.Head adds on top of a
// cut backbone.
const HeadNode = "head"

// Features holds a dataset's pooled backbone features for one or more
// augmented views of every image, with the images' targets.
type Features struct {
	// Views[v] holds view v's features, [N, D], row i for dataset item i.
	Views []*tensor.Tensor
	// Y and Mask hold the targets and the known-label mask, [N, L].
	Y, Mask *tensor.Tensor
	// Names are the images' names, in dataset order.
	Names []string
}

// Len returns the number of images.
func (f *Features) Len() int { return len(f.Names) }

// Dim returns the length of a feature vector.
func (f *Features) Dim() int { return f.Views[0].Shape[1] }

// PoolNode returns the node whose output feeds a classifier's head: the
// pooled feature vector that a frozen backbone computes.
func PoolNode(spec *nn.Spec) (string, error) {
	h, ok := spec.Node(HeadNode)
	if !ok || h.Op != nn.OpDense || len(h.Inputs) != 1 {
		return "", fmt.Errorf("transfer: the network has no dense %q node reading one input", HeadNode)
	}
	return h.Inputs[0], nil
}

// Extract runs m in evaluation mode over views passes of ds and keeps the
// output of node (a pooled [N, D] feature vector) for every image. cfg says
// how to load the images; each pass is one view, and with cfg.Augment set
// every view is augmented afresh. Extract neither shuffles nor drops images,
// whatever cfg says.
func Extract(ctx context.Context, m *nn.Model, node string, ds *dataset.Dataset, cfg loader.Config, views int) (*Features, error) {
	if views < 1 {
		return nil, fmt.Errorf("transfer: extract: %d views", views)
	}
	cfg.Shuffle, cfg.DropLast = false, false
	l, err := loader.New(ds, cfg)
	if err != nil {
		return nil, fmt.Errorf("transfer: extract: %w", err)
	}
	f := &Features{}
	for v := range views {
		if err := f.extractView(ctx, m, node, l, len(ds.Items), v); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// extractView computes view v of the n images l loads and appends it to f.
func (f *Features) extractView(ctx context.Context, m *nn.Model, node string, l *loader.Loader, n, v int) error {
	it := l.Epoch(ctx, v+1)
	defer it.Close()
	var view *tensor.Tensor
	seen := 0
	for it.Next() {
		b := it.Batch()
		if _, err := m.Forward(b.X, false); err != nil {
			return fmt.Errorf("transfer: extract view %d: %w", v+1, err)
		}
		a := m.Activation(node)
		if a == nil || len(a.Shape) != 2 {
			return fmt.Errorf("transfer: extract: node %q has no pooled [N, D] output", node)
		}
		if view == nil {
			view = tensor.New(n, a.Shape[1])
			f.initTargets(n, b.Y.Shape[1], v == 0)
		}
		d := a.Shape[1]
		for r, idx := range b.Index {
			copy(view.Data[idx*d:(idx+1)*d], a.Data[r*d:(r+1)*d])
			if v == 0 {
				f.setTargets(idx, b, r)
			}
		}
		seen += len(b.Index)
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("transfer: extract view %d: %w", v+1, err)
	}
	if seen != n {
		return fmt.Errorf("transfer: extract view %d: saw %d of %d images", v+1, seen, n)
	}
	f.Views = append(f.Views, view)
	return nil
}

// initTargets allocates the targets for n images and l labels on the first
// view.
func (f *Features) initTargets(n, l int, first bool) {
	if !first {
		return
	}
	f.Y, f.Mask, f.Names = tensor.New(n, l), tensor.New(n, l), make([]string, n)
}

// setTargets copies row r of batch b into image idx's targets.
func (f *Features) setTargets(idx int, b *loader.Batch, r int) {
	l := f.Y.Shape[1]
	copy(f.Y.Data[idx*l:(idx+1)*l], b.Y.Data[r*l:(r+1)*l])
	copy(f.Mask.Data[idx*l:(idx+1)*l], b.Mask.Data[r*l:(r+1)*l])
	f.Names[idx] = b.Names[r]
}

// Rows returns the features of the images at idx, in that order, in every
// view.
func (f *Features) Rows(idx []int) (*Features, error) {
	d, l := f.Dim(), f.Y.Shape[1]
	out := &Features{Y: tensor.New(len(idx), l), Mask: tensor.New(len(idx), l), Names: make([]string, len(idx))}
	for range f.Views {
		out.Views = append(out.Views, tensor.New(len(idx), d))
	}
	for k, i := range idx {
		if i < 0 || i >= f.Len() {
			return nil, fmt.Errorf("transfer: rows: image %d of %d", i, f.Len())
		}
		for v, view := range f.Views {
			copy(out.Views[v].Data[k*d:(k+1)*d], view.Data[i*d:(i+1)*d])
		}
		copy(out.Y.Data[k*l:(k+1)*l], f.Y.Data[i*l:(i+1)*l])
		copy(out.Mask.Data[k*l:(k+1)*l], f.Mask.Data[i*l:(i+1)*l])
		out.Names[k] = f.Names[i]
	}
	return out, nil
}
