package train

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// LRPoint is one step of a learning-rate sweep.
type LRPoint struct {
	LR       float64 `json:"lr"`
	Loss     float64 `json:"loss"`     // the batch loss
	Smoothed float64 `json:"smoothed"` // exponentially smoothed, bias-corrected loss
}

// LRFindOptions bound a learning-rate sweep.
type LRFindOptions struct {
	MinLR, MaxLR float64 // the sweep's range, geometric
	Steps        int     // number of steps
	Smoothing    float64 // weight of the previous smoothed loss, in [0, 1)
}

// LRFind trains from scratch for a few steps while the learning rate grows
// geometrically from MinLR to MaxLR (Smith's range test, as fastai's
// lr_find), and records the loss at each step. It stops early once the
// smoothed loss exceeds four times its minimum. It returns the points and a
// suggested learning rate: the one where the smoothed loss falls fastest.
func LRFind(ctx context.Context, cfg Config, data Data, o LRFindOptions) ([]LRPoint, float64, error) {
	if o.MinLR <= 0 || o.MaxLR <= o.MinLR || o.Steps < 3 || o.Smoothing < 0 || o.Smoothing >= 1 {
		return nil, 0, fmt.Errorf("train: lr-find needs 0 < min < max and at least 3 steps, got %+v", o)
	}
	cfg.Schedule = "constant"
	if cfg.LR <= 0 {
		cfg.LR = o.MinLR
	}
	if err := cfg.Validate(); err != nil {
		return nil, 0, err
	}
	if data.Val == nil {
		data.Val = data.Train
	}
	r := &run{cfg: cfg, data: data}
	if err := r.setup(); err != nil {
		return nil, 0, err
	}
	var pts []LRPoint
	var avg, best float64
	best = math.Inf(1)
	ratio := math.Pow(o.MaxLR/o.MinLR, 1/float64(o.Steps-1))
	for epoch := 1; len(pts) < o.Steps; epoch++ {
		for b, err := range r.trainL.Batches(ctx, epoch) {
			if err != nil {
				return nil, 0, fmt.Errorf("train: lr-find: %w", err)
			}
			lr := o.MinLR * math.Pow(ratio, float64(len(pts)))
			// The step's update comes before the stopping test below;
			// once the sweep stops, the model is not used again.
			v, err := r.step.Run(b.X, b.Y, b.Mask, lr)
			var div *DivergedError
			if err != nil && !errors.As(err, &div) {
				return nil, 0, fmt.Errorf("train: lr-find: %w", err)
			}
			avg = o.Smoothing*avg + (1-o.Smoothing)*v
			sm := avg / (1 - math.Pow(o.Smoothing, float64(len(pts)+1)))
			pts = append(pts, LRPoint{LR: lr, Loss: v, Smoothed: sm})
			if div != nil || sm > 4*best {
				return pts, suggest(pts), nil
			}
			best = math.Min(best, sm)
			if len(pts) == o.Steps {
				break
			}
		}
	}
	return pts, suggest(pts), nil
}

// suggest returns the learning rate at the steepest fall of the smoothed
// loss against log(lr), ignoring the first and last tenth of the sweep.
func suggest(pts []LRPoint) float64 {
	if len(pts) < 3 {
		return pts[0].LR
	}
	lo, hi := len(pts)/10, len(pts)-len(pts)/10
	bestI, bestSlope := lo, math.Inf(1)
	for i := max(lo, 1); i < hi; i++ {
		s := (pts[i].Smoothed - pts[i-1].Smoothed) / (math.Log(pts[i].LR) - math.Log(pts[i-1].LR))
		if s < bestSlope {
			bestI, bestSlope = i, s
		}
	}
	return pts[bestI].LR
}
