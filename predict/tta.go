package predict

import (
	"mlabel/augment"
	"mlabel/tensor"
)

// TTA returns the dihedral transforms (augment.Dihedral's numbering) that
// test-time augmentation averages over for b's view: all 8 for an overhead
// model, identity and mirror for a ground model or one that records no view.
func (p *Predictor) TTA() []int {
	if augment.View(p.b.View) == augment.Overhead {
		return augment.Transforms(augment.Overhead)
	}
	return augment.Transforms(augment.Ground)
}

// SetTTA turns test-time augmentation on or off. When on, every image is
// scored as the mean of the probabilities of its transforms (TTA), at
// len(TTA()) forward passes per image. It returns the passes per image.
func (p *Predictor) SetTTA(on bool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tta = nil
	if on {
		p.tta = p.TTA()
		return len(p.tta)
	}
	return 1
}

// transform writes into dst the dihedral transform k of every image of the
// batch src (N×S×S×C).
func transform(dst, src *tensor.Tensor, k int) {
	n, s, c := src.Shape[0], src.Shape[1], src.Shape[3]
	per := s * s * c
	for i := 0; i < n; i++ {
		augment.Dihedral(dst.Data[i*per:(i+1)*per], src.Data[i*per:(i+1)*per], s, c, k)
	}
}
