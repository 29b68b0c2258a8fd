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
// loader does before caching their pixels), then, after one untimed
// warm-up step, steps training steps, of which the median counts, and an
// evaluation pass. It returns the costs per image. The network, its weights and the loader are
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
	images, start := 0, time.Now()
	for b, err := range r.trainL.Batches(ctx, 1) {
		if err != nil {
			return budget.Point{}, fmt.Errorf("train: measuring: %w", err)
		}
		images += b.X.Shape[0]
	}
	p.Decode = time.Since(start).Seconds() / float64(max(images, 1))

	step := func(b *loader.Batch) error {
		_, err := r.step.Run(b.X, b.Y, b.Mask, cfg.LR/10)
		var d *DivergedError
		if errors.As(err, &d) {
			return nil // the time is what counts
		}
		return err
	}
	// Each step is timed on its own and the median kept, so that a step
	// slowed by another process does not count as the machine's pace.
	var perImage []float64
	for b, err := range r.trainL.Batches(ctx, 2) {
		if err != nil {
			return budget.Point{}, fmt.Errorf("train: measuring: %w", err)
		}
		t := time.Now()
		if err := step(b); err != nil {
			return budget.Point{}, fmt.Errorf("train: measuring: %w", err)
		}
		perImage = append(perImage, time.Since(t).Seconds()/float64(b.X.Shape[0]))
	}
	if len(perImage) > 1 {
		perImage = perImage[1:] // the warm-up step
	}
	slices.Sort(perImage)
	p.Step = perImage[len(perImage)/2]

	images, start = 0, time.Now()
	for b, err := range r.trainL.Batches(ctx, 3) {
		if err != nil {
			return budget.Point{}, fmt.Errorf("train: measuring: %w", err)
		}
		if _, err := r.model.Forward(b.X, false); err != nil {
			return budget.Point{}, fmt.Errorf("train: measuring: %w", err)
		}
		images += b.X.Shape[0]
	}
	p.Eval = time.Since(start).Seconds() / float64(max(images, 1))
	return p, nil
}
