package transfer

import (
	"fmt"

	"mlabel/bundle"
	"mlabel/imageio"
)

// BackbonePreprocess returns the input preprocessing of the backbone bundle
// at path, at size pixels: a pretrained network must see its inputs
// normalised as in its pretraining (Darknet models take values in [0, 1],
// ImageNet models the ImageNet mean and standard deviation).
func BackbonePreprocess(path string, size int) (imageio.Preprocess, error) {
	b, err := bundle.Load(path)
	if err != nil {
		return imageio.Preprocess{}, fmt.Errorf("transfer: backbone: %w", err)
	}
	p := b.Preprocess
	p.Size = size
	if err := p.Validate(); err != nil {
		return imageio.Preprocess{}, fmt.Errorf("transfer: backbone %s: preprocessing: %w", path, err)
	}
	return p, nil
}
