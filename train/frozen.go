package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/loader"
	"mlabel/nn"
	"mlabel/tensor"
	"mlabel/transfer"
)

// defaultFeatureViews is the number of augmented views of each training
// image cached when Config.FeatureViews is 0.
const defaultFeatureViews = 4

// frozenBackbone is a pretrained backbone with a freshly initialised head,
// loaded once, and the node whose pooled output feeds the head.
type frozenBackbone struct {
	spec *nn.Spec
	full *nn.Model
	pool string
}

// loadFrozen builds the network cfg names, a backbone with a new head, with
// the backbone's pretrained weights.
func loadFrozen(cfg Config, labels []string) (*frozenBackbone, error) {
	spec, init, _, err := BuildSpec(cfg, labels)
	if err != nil {
		return nil, err
	}
	full, err := nn.Build(spec, rand.New(rand.NewPCG(cfg.Seed, 0x6d6c6162)))
	if err != nil {
		return nil, fmt.Errorf("train: build backbone with head: %w", err)
	}
	if _, err := full.SetWeightsPartial(init); err != nil {
		return nil, fmt.Errorf("train: load backbone weights: %w", err)
	}
	pool, err := transfer.PoolNode(spec)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return &frozenBackbone{spec: spec, full: full, pool: pool}, nil
}

// extract caches the backbone's pooled features of ds: views augmented
// views, or one plain view when augment is false.
func (fb *frozenBackbone) extract(ctx context.Context, cfg Config, ds *dataset.Dataset, pre imageio.Preprocess, augment bool, views int) (*transfer.Features, error) {
	lc := loader.Config{Preprocess: pre, BatchSize: cfg.Batch, Seed: cfg.Seed, Workers: cfg.Workers}
	if augment {
		aug := cfg.Augment
		lc.Augment = &aug
	}
	return transfer.Extract(ctx, fb.full, fb.pool, ds, lc, views)
}

// headRun returns a run that trains the head alone on cached features
// (train, and val when not nil), starting from the full network's freshly
// initialised head. The head trains through the same loop as a whole
// network; it keeps no weight average, as it never has.
func (fb *frozenBackbone) headRun(cfg Config, data Data, train, val *transfer.Features, seed uint64, hooks Hooks) (*run, error) {
	cfg.EMA = 0
	hs, err := transfer.HeadSpec(train.Dim(), train.Y.Shape[1])
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if err := withGroups(hs, cfg, data.Train.Labels); err != nil {
		return nil, err
	}
	head, err := nn.Build(hs, rand.New(rand.NewPCG(cfg.Seed, 1)))
	if err != nil {
		return nil, fmt.Errorf("train: build head: %w", err)
	}
	if err := head.SetWeights(headWeights(fb.full.Weights())); err != nil {
		return nil, fmt.Errorf("train: initial head: %w", err)
	}
	r := &run{cfg: cfg, data: data, spec: hs, tracker: tracker{hooks: hooks}, trainL: train.TrainSource(cfg.Batch, seed)}
	if val != nil {
		r.valL = val.EvalSource(cfg.Batch)
	}
	if err := r.prepare(head, nil); err != nil {
		return nil, err
	}
	return r, nil
}

// runFrozen trains a new head over a frozen backbone: it caches the
// backbone's pooled features once per training image and augmented view
// (and once per validation image), trains the head on the cache, and puts
// the best epoch's head on the backbone. With cfg.Unfreeze the whole
// network is then fine-tuned by the ordinary loop, and the better of the two
// stages on validation mAP is kept. The frozen stage takes no checkpoint:
// after the features are cached, it takes seconds.
func runFrozen(ctx context.Context, cfg Config, data Data, ckptPath string, resume bool, hooks Hooks) (*Result, error) {
	fb, err := loadFrozen(cfg, data.Train.Labels)
	if err != nil {
		return nil, err
	}
	views := cfg.FeatureViews
	if views <= 0 {
		views = defaultFeatureViews
	}
	start := time.Now()
	tr, err := fb.extract(ctx, cfg, data.Train, data.Preprocess, true, views)
	if err != nil {
		return nil, fmt.Errorf("train: training features: %w", err)
	}
	var va *transfer.Features
	if data.Val != nil {
		if va, err = fb.extract(ctx, cfg, data.Val, data.Preprocess, false, 1); err != nil {
			return nil, fmt.Errorf("train: validation features: %w", err)
		}
	}
	if hooks.Log != nil {
		hooks.Log(fmt.Sprintf("cached %d features of the frozen backbone for %d training images × %d views and %d validation images in %.1fs",
			tr.Dim(), tr.Len(), views, featureCount(va), time.Since(start).Seconds()))
	}
	h, err := fb.headRun(cfg, data, tr, va, cfg.Seed, hooks)
	if err != nil {
		return nil, err
	}
	res, err := h.train(ctx, "", false)
	if err != nil {
		return nil, err
	}
	if _, err := fb.full.SetWeightsPartial(res.Model.Weights()); err != nil {
		return nil, fmt.Errorf("train: put the head on the backbone: %w", err)
	}
	res.Model, res.Spec = fb.full, fb.spec
	if !cfg.Unfreeze {
		return res, nil
	}
	return fineTune(ctx, cfg, data, ckptPath, resume, hooks, res)
}

// featureCount returns the number of images of f, 0 when nil.
func featureCount(f *transfer.Features) int {
	if f == nil {
		return 0
	}
	return f.Len()
}

// headWeights returns the parameters of the head node in w.
func headWeights(w map[string]*tensor.Tensor) map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	for k, v := range w {
		if strings.HasPrefix(k, transfer.HeadNode+".") {
			out[k] = v
		}
	}
	return out
}
