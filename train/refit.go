package train

import (
	"context"
	"fmt"
)

// The refit's starting points (Config.RefitFrom).
const (
	// RefitFromValidated continues from the validated model: the refit's
	// schedule starts again from the network the first run ended with,
	// so that the final model has trained through both schedules.
	RefitFromValidated = "validated"
	// RefitFromScratch starts the refit from a fresh initialisation, as
	// if the first run had not happened.
	RefitFromScratch = "scratch"
)

// Refit trains cfg on data for the final model, the refit on the training
// and validation images together that follows a validated run (see
// Config.Refit): from the network and weights of from, that run's result,
// when cfg.RefitFrom is RefitFromValidated, or from a fresh initialisation
// as Run does when it is RefitFromScratch or empty. A run continuing from
// a pretrained backbone keeps the backbone's learning-rate multiplier.
// The checkpoint at ckptPath, when resumed, takes precedence over from.
func Refit(ctx context.Context, cfg Config, data Data, from *Result, ckptPath string, resume bool, hooks Hooks) (*Result, error) {
	if cfg.RefitFrom != RefitFromValidated {
		return Run(ctx, cfg, data, ckptPath, resume, hooks)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if from == nil || from.Model == nil || from.Spec == nil {
		return nil, fmt.Errorf("train: refit: no validated model to continue from")
	}
	if cfg.FreezeBackbone {
		return nil, fmt.Errorf("train: refit: a frozen backbone's head is not refitted")
	}
	if data.Train == nil || len(data.Train.Items) == 0 {
		return nil, fmt.Errorf("train: empty training set")
	}
	if cfg.Segment != (data.Masks != nil) {
		return nil, fmt.Errorf("train: the segmentation route needs masks, and masks need the segmentation route")
	}
	if ch := data.Preprocess.Channels(); ch != 3 {
		cfg.Channels = ch
	}
	start := &startPoint{spec: from.Spec, weights: cloneWeights(from.Model.Weights())}
	if cfg.Backbone != "" {
		// The spec built afresh tells which parameters are the backbone's.
		_, _, isBackbone, err := BuildSpec(cfg, data.Train.Labels)
		if err != nil {
			return nil, err
		}
		start.backbone = isBackbone
	}
	res, err := runFrom(ctx, cfg, data, ckptPath, resume, hooks, start)
	if err != nil {
		return nil, err
	}
	res.Config = cfg
	return res, nil
}
