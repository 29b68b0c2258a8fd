package compare

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"mlabel/bundle"
	"mlabel/imageio"
	"mlabel/loader"
	"mlabel/nn"
	"mlabel/tensor"
	"mlabel/workflow"
)

// timingBatch returns the first test batch of o.TimingBatch images, copied.
func timingBatch(ctx context.Context, o Options, es *evalSets) (*tensor.Tensor, error) {
	l, err := loader.New(es.testSet, loader.Config{Preprocess: o.Preprocess, BatchSize: o.TimingBatch, Workers: o.Train.Workers})
	if err != nil {
		return nil, fmt.Errorf("compare: timing loader: %w", err)
	}
	it := l.Epoch(ctx, 0)
	defer it.Close()
	if !it.Next() {
		if err := it.Err(); err != nil {
			return nil, fmt.Errorf("compare: timing batch: %w", err)
		}
		return nil, fmt.Errorf("compare: timing batch: no test images")
	}
	return cloneT(it.Batch().X), nil
}

// msPerImage times repeats forwards of x by m after one warm-up and
// returns the median time per image in milliseconds.
func msPerImage(m *nn.Model, x *tensor.Tensor, repeats int) (float64, error) {
	if _, err := m.Forward(x, false); err != nil {
		return 0, fmt.Errorf("compare: time: %w", err)
	}
	ts := make([]float64, max(repeats, 1))
	for i := range ts {
		start := time.Now()
		if _, err := m.Forward(x, false); err != nil {
			return 0, fmt.Errorf("compare: time: %w", err)
		}
		ts[i] = float64(time.Since(start).Microseconds()) / 1000
	}
	slices.Sort(ts)
	return ts[len(ts)/2] / float64(x.Shape[0]), nil
}

// newBundle packs an option as a classifier bundle with its validation
// thresholds and metrics.
func newBundle(o Options, op *option, labels []string, pre imageio.Preprocess) (*bundle.Bundle, error) {
	cfg, err := json.Marshal(o.Train)
	if err != nil {
		return nil, fmt.Errorf("compare: encode config: %w", err)
	}
	extra, err := json.Marshal(map[string]any{"compare": op.extra})
	if err != nil {
		return nil, fmt.Errorf("compare: encode composition: %w", err)
	}
	b := workflow.ClassifierBundle(o.Train.Arch, op.spec, labels, pre, op.rules, op.valSum, cfg, op.weights)
	b.Extra = extra
	return b, nil
}

// byteCounter counts the bytes written to it.
type byteCounter int64

func (c *byteCounter) Write(p []byte) (int, error) { *c += byteCounter(len(p)); return len(p), nil }

// bundleBytes returns the encoded size of b.
func bundleBytes(b *bundle.Bundle) (int64, error) {
	var n byteCounter
	if err := b.Write(io.Writer(&n)); err != nil {
		return 0, fmt.Errorf("compare: size bundle: %w", err)
	}
	return int64(n), nil
}

// cost measures an option, timing the model predict builds from its
// bundle (batch norm folded, activations fused).
func cost(op *option, b *bundle.Bundle, x *tensor.Tensor, size, repeats int) (Cost, error) {
	m, err := b.InferenceModel()
	if err != nil {
		return Cost{}, fmt.Errorf("compare: %s: %w", op.name, err)
	}
	ms, err := msPerImage(m, x, repeats)
	if err != nil {
		return Cost{}, fmt.Errorf("compare: %s: %w", op.name, err)
	}
	n, err := bundleBytes(b)
	if err != nil {
		return Cost{}, err
	}
	return Cost{ForwardPasses: op.passes, FLOPs: op.model.FLOPs(size, size), MsPerImage: ms, BundleBytes: n}, nil
}
