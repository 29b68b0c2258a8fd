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
		w, gr, nesterov := p.Value.Data, p.Grad.Data, o.cfg.Nesterov
		if mu != 0 && !fresh && !nesterov {
			// The usual step, in float32 as PyTorch's: b = μ·b + (1−d)(g + λw),
			// w = w − lr·b.
			mu32, keep, wd32, lr32 := float32(mu), float32(1-damp), float32(wd), float32(lr)
			parallel(len(w), func(lo, hi int) {
				w, gr, buf := w[lo:hi], gr[lo:hi], buf[lo:hi]
				for i, v := range w {
					b := mu32*buf[i] + keep*(gr[i]+wd32*v)
					buf[i] = b
					w[i] = v - lr32*b
				}
			})
			continue
		}
		parallel(len(w), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				v := w[i]
				g := float64(gr[i]) + wd*float64(v)
				if mu != 0 {
					b := g
					if !fresh {
						b = mu*float64(buf[i]) + (1-damp)*g
					}
					buf[i] = float32(b)
					if nesterov {
						g += mu * b
					} else {
						g = b
					}
				}
				w[i] = float32(float64(v) - lr*g)
			}
		})
	}
	o.steps++
	return nil
}

// LoadState implements Optimizer.
func (o *SGD) LoadState(s *State) error {
	return o.loadState(s, []string{"momentum_buffer"}, nil)
}
