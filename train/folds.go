package train

import (
	"context"
	"fmt"
	"time"

	"mlabel/dataset"
	"mlabel/imageio"
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
	cfg, ev, err := ResolveView(ctx, cfg, ds, pre)
	if err != nil {
		return nil, err
	}
	if ev != nil && hooks.Log != nil {
		hooks.Log(ev.String())
	}
	fb, err := loadFrozen(cfg, ds.Labels)
	if err != nil {
		return nil, err
	}
	views := cfg.FeatureViews
	if views <= 0 {
		views = defaultFeatureViews
	}
	start := time.Now()
	tr, err := fb.extract(ctx, cfg, ds, pre, true, views)
	if err != nil {
		return nil, fmt.Errorf("train: training features: %w", err)
	}
	plain, err := fb.extract(ctx, cfg, ds, pre, false, 1)
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
		fit, err := tr.Rows(trainIdx)
		if err != nil {
			return nil, fmt.Errorf("train: fold %d: %w", k+1, err)
		}
		h, err := fb.headRun(cfg, Data{Train: ds, Preprocess: pre}, fit, nil, cfg.Seed+uint64(k), hooks)
		if err != nil {
			return nil, err
		}
		res, err := h.train(ctx, "", false)
		if err != nil {
			return nil, fmt.Errorf("train: fold %d: %w", k+1, err)
		}
		heldOut, err := plain.Rows(held)
		if err != nil {
			return nil, fmt.Errorf("train: fold %d: %w", k+1, err)
		}
		set, err := Predict(ctx, res.Model, heldOut.EvalSource(cfg.Batch), nil)
		if err != nil {
			return nil, fmt.Errorf("train: fold %d: %w", k+1, err)
		}
		out[k] = set.Scores
	}
	return out, nil
}
