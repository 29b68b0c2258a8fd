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
		for i, x := range p.Value.Data {
			g := float64(p.Grad.Data[i])
			mi := b1*float64(m.Data[i]) + (1-b1)*g
			vi := b2*float64(v.Data[i]) + (1-b2)*g*g
			m.Data[i], v.Data[i] = float32(mi), float32(vi)
			denom := math.Sqrt(vi)/sqrtBC2 + o.cfg.Eps
			p.Value.Data[i] = float32(float64(x)*decay - stepSize*mi/denom)
		}
	}
	o.steps++
	return nil
}

// LoadState implements Optimizer.
func (o *AdamW) LoadState(s *State) error {
	return o.loadState(s, []string{"exp_avg", "exp_avg_sq", "step"}, map[string]bool{"step": true})
}
