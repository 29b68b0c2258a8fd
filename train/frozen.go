package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"mlabel/loader"
	"mlabel/loss"
	"mlabel/nn"
	"mlabel/optim"
	"mlabel/tensor"
	"mlabel/transfer"
)

// defaultFeatureViews is the number of augmented views of each training
// image cached when Config.FeatureViews is 0.
const defaultFeatureViews = 4

// headRun trains a classifier's head on cached features of a frozen
// backbone.
type headRun struct {
	cfg      Config
	model    *nn.Model // the head alone, as transfer.HeadSpec builds it
	opt      optim.Optimizer
	lossFn   loss.Loss
	sched    optim.Schedule
	tr, va   *transfer.Features
	rng      *rand.Rand
	x, y, mk *tensor.Tensor
	tracker
}

// runFrozen trains a new head over a frozen backbone: it caches the
// backbone's pooled features once per training image and augmented view
// (and once per validation image), trains the head on the cache, and puts
// the best epoch's head on the backbone. With cfg.Unfreeze the whole
// network is then fine-tuned by the ordinary loop, and the better of the two
// stages on validation mAP is kept. The frozen stage takes no checkpoint:
// after the features are cached, it takes seconds.
func runFrozen(ctx context.Context, cfg Config, data Data, ckptPath string, resume bool, hooks Hooks) (*Result, error) {
	numLabels := len(data.Train.Labels)
	spec, init, _, err := BuildSpec(cfg, numLabels)
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
	h, err := newHeadRun(ctx, cfg, data, full, hooks)
	if err != nil {
		return nil, err
	}
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		if cfg.Patience > 0 && h.state.BadEpochs >= cfg.Patience {
			h.log(fmt.Sprintf("early stopping: no better validation mAP for %d epochs", cfg.Patience))
			break
		}
		if err := h.epoch(ctx, epoch); err != nil {
			return nil, err
		}
	}
	res, err := h.finish(full, spec)
	if err != nil || !cfg.Unfreeze {
		return res, err
	}
	return fineTune(ctx, cfg, data, ckptPath, resume, hooks, res)
}

// newHeadRun caches the features and sets up the head's training.
func newHeadRun(ctx context.Context, cfg Config, data Data, full *nn.Model, hooks Hooks) (*headRun, error) {
	pool, err := transfer.PoolNode(full.Spec())
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	views := cfg.FeatureViews
	if views <= 0 {
		views = defaultFeatureViews
	}
	h := &headRun{cfg: cfg, tracker: tracker{hooks: hooks}, rng: rand.New(rand.NewPCG(cfg.Seed, 0x68656164))}
	start := time.Now()
	aug := cfg.Augment
	lc := loader.Config{Preprocess: data.Preprocess, Augment: &aug, BatchSize: cfg.Batch, Seed: cfg.Seed, Workers: cfg.Workers}
	if h.tr, err = transfer.Extract(ctx, full, pool, data.Train, lc, views); err != nil {
		return nil, fmt.Errorf("train: training features: %w", err)
	}
	lc.Augment = nil
	if h.va, err = transfer.Extract(ctx, full, pool, data.Val, lc, 1); err != nil {
		return nil, fmt.Errorf("train: validation features: %w", err)
	}
	h.log(fmt.Sprintf("cached %d features of the frozen backbone for %d training images × %d views and %d validation images in %.1fs",
		h.tr.Dim(), h.tr.Len(), views, h.va.Len(), time.Since(start).Seconds()))
	return h, h.setup(full)
}

// setup builds the head, starting from the full network's freshly
// initialised head, and its optimizer, loss and schedule.
func (h *headRun) setup(full *nn.Model) error {
	hs, err := transfer.HeadSpec(h.tr.Dim(), h.tr.Y.Shape[1])
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if h.model, err = nn.Build(hs, rand.New(rand.NewPCG(h.cfg.Seed, 1))); err != nil {
		return fmt.Errorf("train: build head: %w", err)
	}
	if err := h.model.SetWeights(headWeights(full.Weights())); err != nil {
		return fmt.Errorf("train: initial head: %w", err)
	}
	var params []*nn.Param
	for _, p := range h.model.Params() {
		if p.Grad != nil {
			params = append(params, p)
		}
	}
	if h.opt, err = newOptimizer(h.cfg, params); err != nil {
		return err
	}
	if h.lossFn, err = loss.ByName(h.cfg.Loss, h.cfg.LossOptions); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	h.sched = newSchedule(h.cfg)
	h.best = cloneWeights(h.model.Weights())
	return nil
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

func (h *headRun) log(msg string) {
	if h.hooks.Log != nil {
		h.hooks.Log(msg)
	}
}
