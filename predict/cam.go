package predict

import (
	"fmt"
	"sync"

	"mlabel/cam"
	"mlabel/nn"
	"mlabel/tensor"
)

// camNet is a predictor's network for class-activation maps. The maps read
// the feature map before the global pooling, which the inference network
// neither keeps (it reuses activation buffers) nor computes apart (batch
// norm is folded and activations fused), so they run on the bundle's
// network as trained, built on first use and run one image at a time.
type camNet struct {
	head    cam.Head
	headErr error // why the network has no maps; nil when it has
	once    sync.Once
	mu      sync.Mutex // serialises runs of m
	m       *nn.Model
	err     error
}

// CanMap reports why the predictor's network has no class-activation maps
// (it does not end in global average pooling and a dense layer), or nil
// when it has them.
func (p *Predictor) CanMap() error { return p.cam.headErr }

// Maps returns, for one network input x (Preprocess's Size×Size×Channels
// values, as Preprocess.Input makes them), the logits and each label's
// class-activation map over the gh×gw grid of the network's last feature
// map, in row order (see cam.Maps). It is safe for concurrent use; the
// maps of concurrent calls are computed one at a time.
func (p *Predictor) Maps(x []float32) (logits []float32, maps [][]float32, gh, gw int, err error) {
	if p.cam.headErr != nil {
		return nil, nil, 0, 0, p.cam.headErr
	}
	p.cam.once.Do(func() { p.cam.m, p.cam.err = p.b.Model() })
	if p.cam.err != nil {
		return nil, nil, 0, 0, fmt.Errorf("predict: %w", p.cam.err)
	}
	t, err := tensor.FromData(x, 1, p.pre.Size, p.pre.Size, p.pre.Channels())
	if err != nil {
		return nil, nil, 0, 0, fmt.Errorf("predict: %w", err)
	}
	p.cam.mu.Lock()
	defer p.cam.mu.Unlock()
	return cam.Maps(p.cam.m, p.cam.head, t)
}
