package train

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"mlabel/budget"
	"mlabel/loader"
)

// MeasureSpeed times cfg on this machine at data.Preprocess's size, on at
// most cfg.Batch·(steps+1) images of data.Train: decoding them once (as a
// loader does before caching their pixels), building their batches again
// from the cached pixels, then, after one untimed warm-up step, steps
// training steps, of which the median counts, and an evaluation pass. It
// returns the costs per image; a step's includes building its batch. The network, its weights and the loader are
// thrown away.
func MeasureSpeed(ctx context.Context, cfg Config, data Data, steps int) (budget.Point, error) {
	if steps < 1 || data.Train == nil || len(data.Train.Items) == 0 {
		return budget.Point{}, fmt.Errorf("train: nothing to measure")
	}
	if cfg.Segment || cfg.FreezeBackbone {
		return budget.Point{}, fmt.Errorf("train: speed is measured on the classifier route with the whole network trained")
	}
	n := min(len(data.Train.Items), cfg.Batch*(steps+1))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if ch := data.Preprocess.Channels(); ch != 3 {
		cfg.Channels = ch
	}
	cfg.Size, cfg.EMA = data.Preprocess.Size, 0
	r := &run{cfg: cfg, data: Data{Train: data.Train.Subset(idx), Preprocess: data.Preprocess}}
	if err := r.setup(); err != nil {
		return budget.Point{}, err
	}
	p := budget.Point{Size: cfg.Size}
	// pass times one pass over the images, returning its batches (each
	// batch is built afresh) and the seconds per image.
	pass := func(epoch int) ([]*loader.Batch, float64, error) {
		var batches []*loader.Batch
		images, start := 0, time.Now()
		for b, err := range r.trainL.Batches(ctx, epoch) {
			if err != nil {
				return nil, 0, fmt.Errorf("train: measuring: %w", err)
			}
			batches = append(batches, b)
			images += b.X.Shape[0]
		}
		return batches, time.Since(start).Seconds() / float64(max(images, 1)), nil
	}
	// The first pass decodes and builds the batches, the second only builds
	// them from the cached pixels (augmentation and normalisation), a cost
	// every epoch pays beside its steps.
	_, first, err := pass(1)
	if err != nil {
		return budget.Point{}, err
	}
	batches, build, err := pass(2)
	if err != nil {
		return budget.Point{}, err
	}
	p.Decode = max(first-build, 0)

	// Each step is timed on its own, on batches built beforehand, and the
	// median kept, so that a step slowed by another process does not count
	// as the machine's pace.
	var perImage []float64
	for i, b := range batches {
		t := time.Now()
		_, err := r.step.Run(b.X, b.Y, b.Mask, cfg.LR/10)
		var d *DivergedError
		if err != nil && !errors.As(err, &d) { // a diverged step's time counts as well
			return budget.Point{}, fmt.Errorf("train: measuring: %w", err)
		}
		if i > 0 || len(batches) == 1 { // the first is a warm-up
			perImage = append(perImage, time.Since(t).Seconds()/float64(b.X.Shape[0]))
		}
	}
	slices.Sort(perImage)
	p.Step = perImage[len(perImage)/2] + build

	images, start := 0, time.Now()
	for _, b := range batches {
		if _, err := r.model.Forward(b.X, false); err != nil {
			return budget.Point{}, fmt.Errorf("train: measuring: %w", err)
		}
		images += b.X.Shape[0]
	}
	p.Eval = time.Since(start).Seconds() / float64(max(images, 1))
	return p, nil
}
