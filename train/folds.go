package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/loader"
	"mlabel/nn"
	"mlabel/transfer"
)

// FrozenOutOfFold cross-validates a new head over a frozen backbone
// (cfg.Backbone with cfg.FreezeBackbone) at the cost of one feature cache:
// the backbone's pooled features of every image of ds are computed once, for
// cfg.FeatureViews augmented views and one plain view. Then, for each fold
// of folds (item indices of ds), a head trains on the augmented features of
// the other folds for cfg.StopAfter epochs (cfg.Epochs when 0), keeping its
// last epoch, and scores the fold's plain features. It returns each fold's
// probabilities, rows in the fold's order.
func FrozenOutOfFold(ctx context.Context, cfg Config, ds *dataset.Dataset, pre imageio.Preprocess, folds [][]int, hooks Hooks) ([][][]float64, error) {
	if cfg.Backbone == "" || !cfg.FreezeBackbone {
		return nil, fmt.Errorf("train: cross-validating a frozen backbone needs a backbone, frozen")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.StopAfter <= 0 || cfg.StopAfter > cfg.Epochs {
		cfg.StopAfter = cfg.Epochs
	}
	cfg, ev, err := ResolveView(cfg, ds, pre)
	if err != nil {
		return nil, err
	}
	if ev != nil && hooks.Log != nil {
		hooks.Log(ev.String())
	}
	spec, init, _, err := BuildSpec(cfg, len(ds.Labels))
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
	pool, err := transfer.PoolNode(full.Spec())
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	views := cfg.FeatureViews
	if views <= 0 {
		views = defaultFeatureViews
	}
	start := time.Now()
	aug := cfg.Augment
	lc := loader.Config{Preprocess: pre, Augment: &aug, BatchSize: cfg.Batch, Seed: cfg.Seed, Workers: cfg.Workers}
	tr, err := transfer.Extract(ctx, full, pool, ds, lc, views)
	if err != nil {
		return nil, fmt.Errorf("train: training features: %w", err)
	}
	lc.Augment = nil
	plain, err := transfer.Extract(ctx, full, pool, ds, lc, 1)
	if err != nil {
		return nil, fmt.Errorf("train: held-out features: %w", err)
	}
	if hooks.Log != nil {
		hooks.Log(fmt.Sprintf("cached %d features of the frozen backbone for %d images × %d views, and one plain view, in %.1fs",
			tr.Dim(), tr.Len(), views, time.Since(start).Seconds()))
	}
	out := make([][][]float64, len(folds))
	for k, held := range folds {
		var trainIdx []int
		for j, f := range folds {
			if j != k {
				trainIdx = append(trainIdx, f...)
			}
		}
		h := &headRun{cfg: cfg, tracker: tracker{hooks: hooks}, rng: rand.New(rand.NewPCG(cfg.Seed+uint64(k), 0x68656164))}
		if h.tr, err = tr.Rows(trainIdx); err != nil {
			return nil, fmt.Errorf("train: fold %d: %w", k+1, err)
		}
		if err := h.setup(full); err != nil {
			return nil, err
		}
		for epoch := 1; epoch <= cfg.StopAfter; epoch++ {
			if err := h.epoch(ctx, epoch); err != nil {
				return nil, fmt.Errorf("train: fold %d: %w", k+1, err)
			}
		}
		if h.va, err = plain.Rows(held); err != nil {
			return nil, fmt.Errorf("train: fold %d: %w", k+1, err)
		}
		set, err := h.predict()
		if err != nil {
			return nil, fmt.Errorf("train: fold %d: %w", k+1, err)
		}
		out[k] = set.Scores
	}
	return out, nil
}
