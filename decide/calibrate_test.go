package decide

import (
	"math"
	"math/rand/v2"
	"testing"

	"mlabel/infer"
)

// miscalibrated draws labels from σ(a·logit(s)+b) for uniform scores s, so
// that Platt scaling should recover (a, b).
func miscalibrated(seed uint64, n int, a, b float64) infer.Set {
	rng := rand.New(rand.NewPCG(seed, 3))
	s := infer.Set{Scores: make([][]float64, n), Truth: make([][]float64, n)}
	for i := range s.Scores {
		p := 0.02 + 0.96*rng.Float64()
		s.Scores[i] = []float64{p, p}
		y := 0.0
		if rng.Float64() < infer.Sigmoid(a*Logit(p)+b) {
			y = 1
		}
		s.Truth[i] = []float64{y, 0}
	}
	return s
}

func meanLogLoss(s infer.Set, scores [][]float64, j int) float64 {
	x, t := make([]float64, len(scores)), make([]float64, len(scores))
	for i := range scores {
		x[i], t[i] = Logit(scores[i][j]), s.Truth[i][j]
	}
	return logLoss(x, t, 1, 0)
}

func TestFitCalibration(t *testing.T) {
	fit := miscalibrated(1, 20000, 2, -0.5)
	eval := miscalibrated(2, 5000, 2, -0.5)
	tests := []struct {
		method Method
		a, b   float64
		tol    float64
	}{
		{Platt, 2, -0.5, 0.15},
		{Temperature, 2, 0, 0.3},
	}
	for _, tc := range tests {
		t.Run(string(tc.method), func(t *testing.T) {
			c, err := FitCalibration(fit, tc.method)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Check(2); err != nil {
				t.Fatal(err)
			}
			if math.Abs(c.A[0]-tc.a) > tc.tol || math.Abs(c.B[0]-tc.b) > tc.tol {
				t.Errorf("label 0: a=%v b=%v, want about %v %v", c.A[0], c.B[0], tc.a, tc.b)
			}
			if tc.method == Temperature && c.B[0] != 0 {
				t.Errorf("temperature scaling moved b to %v", c.B[0])
			}
			// Label 1 has no positive: identity.
			if c.A[1] != 1 || c.B[1] != 0 {
				t.Errorf("label 1: a=%v b=%v, want identity", c.A[1], c.B[1])
			}
			before, after := meanLogLoss(eval, eval.Scores, 0), meanLogLoss(eval, c.Apply(eval.Scores), 0)
			if !(after < before) {
				t.Errorf("held-out log loss %v after calibration, %v before", after, before)
			}
		})
	}
	if _, err := FitCalibration(fit, "isotonic"); err == nil {
		t.Error("unknown method: want an error")
	}
}

func TestCalibrationSeparable(t *testing.T) {
	s := infer.Set{Scores: [][]float64{{0.1}, {0.2}, {0.8}, {0.9}}, Truth: [][]float64{{0}, {0}, {1}, {1}}}
	c, err := FitCalibration(s, Platt)
	if err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(c.A[0]) || math.IsInf(c.A[0], 0) || math.Abs(c.A[0]) > 100 {
		t.Errorf("separable data gave a = %v", c.A[0])
	}
}

func TestRulesApplyCalibrationFirst(t *testing.T) {
	r := &Rules{Kind: Fixed, Labels: 1, Global: 0.5, Calibration: &Calibration{Method: Platt, A: []float64{1}, B: []float64{2}}}
	// σ(logit(0.2)+2) ≈ 0.65 ≥ 0.5.
	if got := r.Apply([][]float64{{0.2}}); !got[0][0] {
		t.Error("calibrated score should pass 0.5")
	}
	if err := r.Check(1); err != nil {
		t.Fatal(err)
	}
	r.Calibration.A = nil
	if err := r.Check(1); err == nil {
		t.Error("calibration without parameters: want an error")
	}
}
