package predict

import (
	"fmt"

	"mlabel/nn"
)

// pooledNode returns the node whose output feeds a classifier's dense
// output layer (under the label groups' softmax, if any), through dropout
// when there is one: the pooled feature
// vector the labels are read from, one row per image.
func pooledNode(spec *nn.Spec) (string, error) {
	if len(spec.Outputs) == 0 {
		return "", fmt.Errorf("predict: the network has no output")
	}
	n, ok := spec.Node(spec.Outputs[0])
	if ok && n.Op == nn.OpGroupSoftmax && len(n.Inputs) == 1 {
		// Label groups' softmax over the dense layer's logits.
		n, ok = spec.Node(n.Inputs[0])
	}
	if !ok || n.Op != nn.OpDense || len(n.Inputs) != 1 {
		return "", fmt.Errorf("predict: the output %q is not a dense layer over one input, so there is no pooled feature vector", spec.Outputs[0])
	}
	p, ok := spec.Node(n.Inputs[0])
	for ok && p.Op == nn.OpDropout && len(p.Inputs) == 1 {
		p, ok = spec.Node(p.Inputs[0])
	}
	if !ok {
		return "", fmt.Errorf("predict: the dense output %q reads no node", n.Name)
	}
	return p.Name, nil
}

// KeepFeatures makes ScoreFiles also return each image's pooled feature
// vector (Scored.Features), the network's own description of the image,
// for comparing images with one another.
func (p *Predictor) KeepFeatures() error {
	node, err := pooledNode(p.m.Spec())
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.m.SetActivationReuse(true, node); err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	p.pool = nn.NewPool(p.m, 0) // workspaces that keep the node
	p.feat = node
	return nil
}

// addFeatures adds the output of node feat in w's last forward pass over
// n images to feats (allocated on the first pass), or returns feats as it
// is when feat is empty (no KeepFeatures).
func addFeatures(w *nn.Model, feat string, feats [][]float32, n int) ([][]float32, error) {
	if feat == "" {
		return feats, nil
	}
	a := w.Activation(feat)
	if a == nil || len(a.Data) == 0 || a.Shape[0] != n {
		return nil, fmt.Errorf("predict: no output of the pooled node %q for %d images", feat, n)
	}
	d := len(a.Data) / n
	if feats == nil {
		feats = make([][]float32, n)
		for i := range feats {
			feats[i] = make([]float32, d)
		}
	}
	for i, f := range feats {
		for j := range f {
			f[j] += a.Data[i*d+j]
		}
	}
	return feats, nil
}
