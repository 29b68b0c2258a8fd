package optim

import (
	"fmt"
	"math"

	"mlabel/nn"
)

// AdamWConfig configures AdamW. DefaultAdamW gives PyTorch's defaults.
type AdamWConfig struct {
	Beta1, Beta2 float64 // decay rates of the moment estimates
	Eps          float64 // added to the denominator
	WeightDecay  float64 // decoupled weight decay, except for NoDecay parameters
}

// DefaultAdamW returns PyTorch's AdamW defaults: β = (0.9, 0.999),
// eps = 1e-8, weight decay 0.01.
func DefaultAdamW() AdamWConfig {
	return AdamWConfig{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}
}

// AdamW is Adam with decoupled weight decay (Loshchilov and Hutter), with
// PyTorch's update rule. Each parameter keeps its own step count t, so a
// parameter that starts training late (after unfreezing) gets the full bias
// correction:
//
//	θ = θ·(1 - lr·wd)
//	m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²
//	θ = θ - lr/(1-β1^t) · m / (√v/√(1-β2^t) + eps)
//
// Parameters marked NoDecay take no weight decay. Step counts are saved as
// float32 "<param>.step" state tensors, exact up to 2^24 steps.
type AdamW struct {
	base
	cfg AdamWConfig
}

// NewAdamW returns an AdamW optimizer over params.
func NewAdamW(params []*nn.Param, cfg AdamWConfig) (*AdamW, error) {
	if cfg.Beta1 < 0 || cfg.Beta1 >= 1 || cfg.Beta2 < 0 || cfg.Beta2 >= 1 {
		return nil, fmt.Errorf("optim adamw: betas (%g, %g) outside [0, 1)", cfg.Beta1, cfg.Beta2)
	}
	if cfg.Eps < 0 || cfg.WeightDecay < 0 {
		return nil, fmt.Errorf("optim adamw: negative eps %g or weight decay %g", cfg.Eps, cfg.WeightDecay)
	}
	b, err := newBase("adamw", params)
	if err != nil {
		return nil, err
	}
	return &AdamW{base: b, cfg: cfg}, nil
}

// SetMomentum implements MomentumSetter: it sets β1.
func (o *AdamW) SetMomentum(m float64) { o.cfg.Beta1 = m }

// Step implements Optimizer.
func (o *AdamW) Step(lr float64) error {
	ps, err := o.trainable()
	if err != nil {
		return err
	}
	b1, b2 := o.cfg.Beta1, o.cfg.Beta2
	for _, p := range ps {
		decay := 1 - lr*o.cfg.WeightDecay
		if p.NoDecay {
			decay = 1
		}
		m, _ := o.slot(p, "exp_avg")
		v, _ := o.slot(p, "exp_avg_sq")
		st, _ := o.slot1(p, "step")
		st.Data[0]++
		t := float64(st.Data[0])
		stepSize := lr / (1 - math.Pow(b1, t))
		sqrtBC2 := math.Sqrt(1 - math.Pow(b2, t))
		// In float32, as PyTorch's, with the step's constants hoisted.
		w, gr, md, vd := p.Value.Data, p.Grad.Data, m.Data, v.Data
		b1f, c1, b2f, c2 := float32(b1), float32(1-b1), float32(b2), float32(1-b2)
		inv, eps, dec, step := float32(1/sqrtBC2), float32(o.cfg.Eps), float32(decay), float32(stepSize)
		parallel(len(w), func(lo, hi int) {
			w, gr, md, vd := w[lo:hi], gr[lo:hi], md[lo:hi], vd[lo:hi]
			for i, g := range gr {
				mi := b1f*md[i] + c1*g
				vi := b2f*vd[i] + c2*g*g
				md[i], vd[i] = mi, vi
				w[i] = w[i]*dec - step*mi/(float32(math.Sqrt(float64(vi)))*inv+eps)
			}
		})
	}
	o.steps++
	return nil
}

// LoadState implements Optimizer.
func (o *AdamW) LoadState(s *State) error {
	return o.loadState(s, []string{"exp_avg", "exp_avg_sq", "step"}, map[string]bool{"step": true})
}
