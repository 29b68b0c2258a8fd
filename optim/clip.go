package optim

import (
	"math"

	"mlabel/nn"
)

// ClipGradNorm scales the gradients of the trainable parameters (not Frozen,
// with a gradient) so that their global L2 norm is at most maxNorm, as
// PyTorch's clip_grad_norm_: each gradient is multiplied by
// maxNorm/(norm+1e-6) when that is below 1. It returns the norm before
// clipping. A non-finite norm leaves the gradients untouched, so that the
// caller can detect it and skip the step.
func ClipGradNorm(params []*nn.Param, maxNorm float64) float64 {
	sum := 0.0
	for _, p := range params {
		if !active(p) {
			continue
		}
		for _, g := range p.Grad.Data {
			sum += float64(g) * float64(g)
		}
	}
	norm := math.Sqrt(sum)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return norm
	}
	coef := maxNorm / (norm + 1e-6)
	if coef >= 1 {
		return norm
	}
	for _, p := range params {
		if !active(p) {
			continue
		}
		for i, g := range p.Grad.Data {
			p.Grad.Data[i] = float32(float64(g) * coef)
		}
	}
	return norm
}
