package decide

import (
	"math"
	"math/rand/v2"
	"testing"

	"mlabel/metrics"
)

// bruteExpectedF returns the best expected F-beta over every predicted set,
// averaging over every truth vector, and the expected F of set pred.
func bruteExpectedF(p []float64, pred []int, o metrics.Options) (best, got float64) {
	l := len(p)
	in := func(set, j int) bool { return set&(1<<j) != 0 }
	expect := func(set int) float64 {
		e := 0.0
		for y := 0; y < 1<<l; y++ {
			prob := 1.0
			var c metrics.Counts
			for j := 0; j < l; j++ {
				if in(y, j) {
					prob *= p[j]
				} else {
					prob *= 1 - p[j]
				}
				switch {
				case in(y, j) && in(set, j):
					c.TP++
				case in(y, j):
					c.FN++
				case in(set, j):
					c.FP++
				}
			}
			e += prob * o.Score(c).F
		}
		return e
	}
	best = math.Inf(-1)
	for set := 0; set < 1<<l; set++ {
		best = math.Max(best, expect(set))
	}
	mask := 0
	for _, j := range pred {
		mask |= 1 << j
	}
	return best, expect(mask)
}

func TestExpectedFIsOptimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for trial := 0; trial < 60; trial++ {
		l := 1 + trial%6
		p := make([]float64, l)
		for j := range p {
			p[j] = rng.Float64()
			if trial%5 == 0 {
				p[j] = math.Round(p[j]*4) / 4 // ties and exact 0 or 1
			}
		}
		for _, o := range []metrics.Options{{Beta: 1}, {Beta: 2}, {Beta: 0.5, ZeroDivision: 1}} {
			best, got := bruteExpectedF(p, expectedFSet(p, o), o)
			if math.Abs(best-got) > 1e-12 {
				t.Errorf("p=%v %+v: expected F %v, best %v", p, o, got, best)
			}
		}
	}
}

func TestFitExpectedF(t *testing.T) {
	fit := randomSplit(21, 50, 3, false)
	r, err := Fit(fit, ExpectedF, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r.Calibration == nil || r.Thresholds() != nil || r.Check(3) != nil {
		t.Fatalf("rule %+v", r)
	}
	if pred := r.Apply(fit.Scores); len(pred) != 50 || len(pred[0]) != 3 {
		t.Errorf("decisions have shape %dx%d", len(pred), len(pred[0]))
	}
}
