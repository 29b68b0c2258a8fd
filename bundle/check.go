package bundle

import (
	"fmt"

	"mlabel/nn"
)

// checkOutputs checks that a classifier's network gives one score per
// label, and a segmenter's one per pixel and label.
func (b *Bundle) checkOutputs(m *nn.Model) error {
	if b.Kind != KindClassifier && b.Kind != KindSegmenter {
		return nil
	}
	sh, err := m.OutputShape(0, 1)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	if b.Kind == KindSegmenter {
		in := m.InputShape()
		if len(sh) != 4 || sh[1] != in[0] || sh[2] != in[1] || sh[3] != len(b.Labels) {
			return fmt.Errorf("bundle: %w: the network's output has shape %v per batch, the bundle has %d labels for %d×%d images: a segmenter needs one score per pixel and label",
				ErrFormat, sh, len(b.Labels), in[1], in[0])
		}
		if b.Segment == nil || !(b.Segment.PixelThreshold > 0 && b.Segment.PixelThreshold < 1) {
			return fmt.Errorf("bundle: %w: a segmenter needs a pixel threshold within (0, 1)", ErrFormat)
		}
		return nil
	}
	n := 1
	for _, d := range sh[1:] {
		n *= d
	}
	if len(sh) < 2 || n != sh[len(sh)-1] || n != len(b.Labels) {
		return fmt.Errorf("bundle: %w: the network's output has shape %v per batch, the bundle has %d labels: a classifier needs one score per label",
			ErrFormat, sh, len(b.Labels))
	}
	return nil
}
