package loss

import (
	"math"

	"mlabel/infer"
	"mlabel/tensor"
)

// ASL is the asymmetric loss of Ridnik et al. (2021) for multi-label
// classification:
//
//	l = -y·(1-p)^γ+·log p - (1-y)·p_m^γ-·log(1-p_m)
//
// where p = σ(x) and p_m = max(p - clip, 0) is the shifted probability of a
// negative (probability margin). The focusing weights are differentiated, as
// in the reference formulation without disable_torch_grad_focal_loss. Log
// terms use log-sigmoid forms, so no eps clamp is needed: the result equals
// the reference wherever its eps = 1e-8 clamp is inactive (|x| < 18).
//
// The reference sums over elements; Compute returns the mean over known
// elements like every loss in this package.
type ASL struct {
	GammaNeg float64 // γ- for negatives; the reference default is 4
	GammaPos float64 // γ+ for positives; the reference default is 1
	Clip     float64 // probability margin for negatives; default 0.05; 0 disables it
}

// newASL returns an asymmetric loss with the given γ-, γ+ and clip.
func newASL(gammaNeg, gammaPos, clip float64) *ASL {
	return &ASL{GammaNeg: gammaNeg, GammaPos: gammaPos, Clip: clip}
}

// Name returns "asl".
func (a *ASL) Name() string { return "asl" }

// Compute implements Loss.
func (a *ASL) Compute(logits, targets, mask, grad *tensor.Tensor) (float64, error) {
	focus := a.GammaNeg > 0 || a.GammaPos > 0
	return reduce(a.Name(), logits, targets, mask, grad, func(x, y float64, _ int) (float64, float64) {
		p, q := infer.Sigmoid(x), infer.Sigmoid(-x)
		// Positive term: log p, and r+ = 1-p with derivatives.
		lp, dlp := -softplus(-x), q
		rp, drp := q, -p*q
		// Negative term: log(1-p_m), and r- = p_m with derivatives.
		var ln, dln, rn, drn float64
		switch {
		case a.Clip <= 0:
			ln, dln = -softplus(x), -p
			rn, drn = p, p*q
		case q+a.Clip < 1:
			xn := q + a.Clip
			ln, dln = math.Log(xn), -p*q/xn
			rn, drn = p-a.Clip, p*q
		default: // the margin clamps 1-p_m to 1: no loss, no gradient
		}
		base := y*lp + (1-y)*ln
		dbase := y*dlp + (1-y)*dln
		if !focus {
			return -base, -dbase
		}
		r := y*rp + (1-y)*rn
		dr := y*drp + (1-y)*drn
		w, dw := focusWeight(r, a.GammaPos*y+a.GammaNeg*(1-y))
		return -base * w, -(dbase*w + base*dw*dr)
	})
}
