package train

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"mlabel/loss"
	"mlabel/nn"
	"mlabel/optim"
	"mlabel/tensor"
	"mlabel/transfer"
)

func TestStep(t *testing.T) {
	tests := []struct {
		name     string
		x        float32 // every input value
		lrMult   []float64
		diverged bool
		moved    bool
	}{
		{"updates", 1, nil, false, true},
		{"zero multiplier leaves the weights", 1, []float64{0}, false, false},
		{"infinite loss leaves the weights", float32(math.Inf(1)), nil, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := transfer.HeadSpec(4, 2)
			if err != nil {
				t.Fatal(err)
			}
			m, err := nn.Build(spec, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			before := cloneWeights(m.Weights())
			opt, err := optim.NewSGD(m.Params(), optim.SGDConfig{})
			if err != nil {
				t.Fatal(err)
			}
			s := &Step{Model: m, Loss: loss.NewBCE(nil), Optimizers: []optim.Optimizer{opt}, LRMult: tc.lrMult, ClipNorm: 1}
			x, y := tensor.New(3, 1, 1, 4), tensor.New(3, 2)
			for i := range x.Data {
				x.Data[i] = tc.x
			}
			y.Data[0] = 1
			v, err := s.Run(x, y, nil, 0.1)
			var div *DivergedError
			if got := errors.As(err, &div); got != tc.diverged || (!tc.diverged && err != nil) {
				t.Fatalf("error %v, want diverged %v", err, tc.diverged)
			}
			if !tc.diverged && (v <= 0 || math.IsNaN(v)) {
				t.Errorf("loss %v, want a positive BCE", v)
			}
			moved := false
			for k, w := range m.Weights() {
				if maxDiff(w, before[k]) > 0 {
					moved = true
				}
			}
			if moved != tc.moved {
				t.Errorf("weights moved %v, want %v", moved, tc.moved)
			}
		})
	}
}
