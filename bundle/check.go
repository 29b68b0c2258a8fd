package bundle

import (
	"fmt"

	"mlabel/imageio"
	"mlabel/nn"
)

// checkHeader refuses header values that would make a reader allocate
// without limit: a checksum proves a bundle intact, not harmless.
func (b *Bundle) checkHeader() error {
	if s := b.Preprocess.Size; s < 0 || s > imageio.MaxSize {
		return fmt.Errorf("bundle: %w: preprocess size %d is outside 0..%d", ErrFormat, s, imageio.MaxSize)
	}
	if p := b.Preprocess.MaxPixels; p < 0 {
		return fmt.Errorf("bundle: %w: negative preprocess max_pixels %d", ErrFormat, p)
	}
	if b.Reference != nil {
		if err := b.Reference.Check(len(b.Labels)); err != nil {
			return fmt.Errorf("bundle: %w: validation reference: %v", ErrFormat, err)
		}
	}
	return nil
}

// checkOutputs checks that a classifier's network gives one score per label.
func (b *Bundle) checkOutputs(m *nn.Model) error {
	if b.Kind != KindClassifier {
		return nil
	}
	sh, err := m.OutputShape(0, 1)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
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
