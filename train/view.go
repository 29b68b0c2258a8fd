package train

import (
	"fmt"

	"mlabel/augment"
	"mlabel/dataset"
	"mlabel/imageio"
)

// viewSample is the most training images DetectView looks at.
const viewSample = 256

// ResolveView returns cfg with its view settled: an auto view is decided
// from up to 256 training images (the first in the set's order, so that a
// resumed run decides the same), and the augmentation's geometric transforms
// are set from the view. The evidence is returned for auto views, nil
// otherwise. Images that fail to decode are left out of the sample; the
// loader reports them.
func ResolveView(cfg Config, ds *dataset.Dataset, pre imageio.Preprocess) (Config, *augment.ViewEvidence, error) {
	if cfg.View == "" {
		return cfg, nil, nil
	}
	var ev *augment.ViewEvidence
	if cfg.View == augment.Auto {
		if err := pre.Validate(); err != nil {
			return cfg, nil, fmt.Errorf("train: %w", err)
		}
		var imgs [][]float32
		for _, it := range ds.Items[:min(len(ds.Items), viewSample)] {
			pix, err := pre.LoadPixels(it.Path)
			if err != nil {
				continue
			}
			imgs = append(imgs, imageio.ToFloat(pix))
		}
		e := augment.DetectView(imgs, pre.Size)
		ev = &e
		cfg.View = e.View
	}
	cfg.Augment = cfg.Augment.ForView(cfg.View)
	return cfg, ev, nil
}
