package optim

import (
	"fmt"

	"mlabel/nn"
)

// SGDConfig configures SGD. The zero value is plain gradient descent.
type SGDConfig struct {
	Momentum    float64 // momentum factor μ
	Dampening   float64 // dampening of the gradient in the momentum buffer
	Nesterov    bool    // Nesterov momentum; needs Momentum > 0 and no Dampening
	WeightDecay float64 // L2 penalty added to the gradient, except for NoDecay parameters
}

// SGD is stochastic gradient descent with PyTorch's update rule:
//
//	g = grad + wd·θ
//	b = g on the first step, else μ·b + (1-dampening)·g
//	g = g + μ·b (Nesterov) or b
//	θ = θ - lr·g
//
// Parameters marked NoDecay take no weight decay.
type SGD struct {
	base
	cfg SGDConfig
}

// SetMomentum implements MomentumSetter. An optimizer configured without
// momentum keeps none.
func (o *SGD) SetMomentum(m float64) {
	if o.cfg.Momentum > 0 {
		o.cfg.Momentum = m
	}
}

// NewSGD returns an SGD optimizer over params.
func NewSGD(params []*nn.Param, cfg SGDConfig) (*SGD, error) {
	if cfg.Momentum < 0 || cfg.WeightDecay < 0 {
		return nil, fmt.Errorf("optim sgd: negative momentum %g or weight decay %g", cfg.Momentum, cfg.WeightDecay)
	}
	if cfg.Nesterov && (cfg.Momentum <= 0 || cfg.Dampening != 0) {
		return nil, fmt.Errorf("optim sgd: Nesterov momentum needs momentum > 0 and zero dampening")
	}
	b, err := newBase("sgd", params)
	if err != nil {
		return nil, err
	}
	return &SGD{base: b, cfg: cfg}, nil
}

// Step implements Optimizer.
func (o *SGD) Step(lr float64) error {
	ps, err := o.trainable()
	if err != nil {
		return err
	}
	mu, damp := o.cfg.Momentum, o.cfg.Dampening
	for _, p := range ps {
		wd := o.cfg.WeightDecay
		if p.NoDecay {
			wd = 0
		}
		var buf []float32
		fresh := false
		if mu != 0 {
			t, ok := o.slot(p, "momentum_buffer")
			buf, fresh = t.Data, !ok
		}
		for i, v := range p.Value.Data {
			g := float64(p.Grad.Data[i]) + wd*float64(v)
			if mu != 0 {
				b := g
				if !fresh {
					b = mu*float64(buf[i]) + (1-damp)*g
				}
				buf[i] = float32(b)
				if o.cfg.Nesterov {
					g += mu * b
				} else {
					g = b
				}
			}
			p.Value.Data[i] = float32(float64(v) - lr*g)
		}
	}
	o.steps++
	return nil
}

// LoadState implements Optimizer.
func (o *SGD) LoadState(s *State) error {
	return o.loadState(s, []string{"momentum_buffer"}, nil)
}
