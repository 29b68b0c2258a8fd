package loss

import (
	"math"

	"mlabel/infer"
	"mlabel/tensor"
)

// Focal is the sigmoid focal loss of Lin et al., as torchvision's
// sigmoid_focal_loss:
//
//	l = α_t · (1-p_t)^γ · BCE(x, y)
//
// with p = σ(x), p_t = p·y + (1-p)·(1-y) and α_t = α·y + (1-α)·(1-y). A
// negative Alpha disables the α weighting.
type Focal struct {
	Gamma float64 // focusing exponent γ ≥ 0; torchvision's default is 2
	Alpha float64 // positive-class weight α in [0, 1], or < 0 for none; default 0.25
}

// newFocal returns a focal loss with the given γ and α.
func newFocal(gamma, alpha float64) *Focal {
	return &Focal{Gamma: gamma, Alpha: alpha}
}

// Name returns "focal".
func (f *Focal) Name() string { return "focal" }

// Compute implements Loss.
func (f *Focal) Compute(logits, targets, mask, grad *tensor.Tensor) (float64, error) {
	return reduce(f.Name(), logits, targets, mask, grad, func(x, y float64, _ int) (float64, float64) {
		p, q := infer.Sigmoid(x), infer.Sigmoid(-x)
		ce := y*softplus(-x) + (1-y)*softplus(x)
		dce := p - y
		// 1-p_t, written without cancellation.
		r := y*q + (1-y)*p
		// d(1-p_t)/dx = -p·q·(2y-1).
		dr := -p * q * (2*y - 1)
		w, dw := focusWeight(r, f.Gamma)
		at := 1.0
		if f.Alpha >= 0 {
			at = f.Alpha*y + (1-f.Alpha)*(1-y)
		}
		return at * w * ce, at * (dce*w + ce*dw*dr)
	})
}

// focusWeight returns r^γ and its derivative with respect to r, taking
// 0^0 = 1 as PyTorch's pow does and a zero derivative at r = 0 when γ ≤ 1
// would make it undefined.
func focusWeight(r, gamma float64) (w, dw float64) {
	if gamma == 0 {
		return 1, 0
	}
	w = math.Pow(r, gamma)
	if r > 0 {
		dw = gamma * math.Pow(r, gamma-1)
	} else if gamma == 1 {
		dw = 1
	}
	return w, dw
}
