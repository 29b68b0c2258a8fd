package train

import (
	"context"
	"fmt"
	"math"

	"mlabel/bundle"
)

// fineTune trains the whole network of frozen, the result of the frozen
// stage, with the backbone's learning rate scaled by BackboneLRMult, and
// returns whichever stage's best epoch has the better validation mAP. The
// fine-tuning epochs are numbered after the frozen ones in the history.
func fineTune(ctx context.Context, cfg Config, data Data, ckptPath string, resume bool, hooks Hooks, frozen *Result) (*Result, error) {
	ft := cfg
	ft.FreezeBackbone, ft.Unfreeze = false, false
	if ft.FineTuneEpochs > 0 {
		ft.Epochs = ft.FineTuneEpochs
	}
	if hooks.Log != nil {
		hooks.Log(fmt.Sprintf("fine-tuning the whole network for %d epochs, backbone learning rate × %g", ft.Epochs, ft.BackboneLRMult))
	}
	offset := len(frozen.History)
	res, err := runFrom(ctx, ft, data, ckptPath, resume, offsetHooks(hooks, offset), frozen.Model.Weights())
	if err != nil {
		return nil, err
	}
	history := append([]bundle.Epoch(nil), frozen.History...)
	for _, e := range res.History {
		e.Epoch += offset
		history = append(history, e)
	}
	best := frozen
	if res.BestEpoch > 0 && bestMAP(res) > bestMAP(frozen) {
		best = res
		best.BestEpoch += offset
	}
	best.History = history
	return best, nil
}

// bestMAP returns the validation mAP of a result's best epoch.
func bestMAP(r *Result) float64 {
	for _, e := range r.History {
		if e.Epoch == r.BestEpoch {
			return e.ValMAP
		}
	}
	return math.Inf(-1)
}

// offsetHooks returns hooks that number epochs after the offset first ones.
func offsetHooks(h Hooks, offset int) Hooks {
	out := h
	if h.EpochStart != nil {
		out.EpochStart = func(epoch, epochs, steps int) { h.EpochStart(epoch+offset, epochs+offset, steps) }
	}
	if h.EpochEnd != nil {
		out.EpochEnd = func(e bundle.Epoch, best bool) { e.Epoch += offset; h.EpochEnd(e, best) }
	}
	return out
}
