package bundle

import (
	"fmt"

	"mlabel/nn"
)

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
