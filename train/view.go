package train

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"mlabel/augment"
	"mlabel/dataset"
	"mlabel/imageio"
)

// viewSample is the most training images the sky test looks at, and
// orientSample the most the orientation test looks at (half to fit, half
// to score).
const (
	viewSample   = 256
	orientSample = 512
)

// ResolveView returns cfg with its view settled, and the augmentation's
// geometric transforms set from the view. An auto view is decided from the
// first training images in the set's order (so that a resumed run decides
// the same): the sky test (augment.DetectView) looks at up to 256 of them,
// and the orientation test (orientationTest, seeded by cfg.Seed) at up to
// 512; it runs on RGB images of at least 16 pixels when the sky test has
// enough images. The evidence is returned for auto views, nil otherwise.
// Images that fail to decode are left out of the sample; the loader
// reports them.
func ResolveView(ctx context.Context, cfg Config, ds *dataset.Dataset, pre imageio.Preprocess) (Config, *augment.ViewEvidence, error) {
	if cfg.View == "" {
		return cfg, nil, nil
	}
	var ev *augment.ViewEvidence
	if cfg.View == augment.Auto {
		if err := pre.Validate(); err != nil {
			return cfg, nil, fmt.Errorf("train: %w", err)
		}
		loaded := loadSample(ds.Items[:min(len(ds.Items), orientSample)], pre, cfg.Workers)
		var sky, all [][]float32
		for i, x := range loaded {
			if x == nil {
				continue
			}
			if i < viewSample {
				sky = append(sky, x)
			}
			all = append(all, x)
		}
		e := augment.DetectView(sky, pre.Size)
		if e.Enough() && pre.Channels() == 3 && pre.Size >= orientMin {
			o, err := orientationTest(ctx, all, pre.Size, cfg.Seed, pre.Normalize)
			if err != nil {
				return cfg, nil, err
			}
			e = e.WithOrientation(o)
		}
		ev = &e
		cfg.View = e.View
	}
	cfg.Augment = cfg.Augment.ForView(cfg.View)
	return cfg, ev, nil
}

// loadSample decodes the items' images with pre on workers goroutines (all
// cores when workers is not positive) and returns their pixels as values
// in [0, 1], in the items' order; an image that fails to decode is nil.
func loadSample(items []dataset.Item, pre imageio.Preprocess, workers int) [][]float32 {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([][]float32, len(items))
	var wg sync.WaitGroup
	for w := range min(workers, len(items)) {
		wg.Go(func() {
			for i := w; i < len(items); i += workers {
				if pix, err := pre.LoadPixels(items[i].Path); err == nil {
					out[i] = imageio.ToFloat(pix)
				}
			}
		})
	}
	wg.Wait()
	return out
}
