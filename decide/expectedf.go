package decide

import (
	"fmt"
	"sort"

	"mlabel/infer"
	"mlabel/metrics"
)

// ExpectedF predicts, for each sample, the label set that maximises the
// expected F-beta when each label is positive independently with its
// (calibrated) score as probability.
const ExpectedF Kind = "expected_f"

func init() {
	Register(ExpectedF, RuleKind{Name: "expected-F", Order: 5, Fit: fitExpectedF,
		Check: func(r *Rules, _ int) error {
			if !(r.Beta > 0) {
				return fmt.Errorf("decide: expected-F rule needs a positive beta, got %v", r.Beta)
			}
			return nil
		},
		Decide: func(r *Rules, scores [][]float64, out [][]bool) {
			o := metrics.Options{Beta: r.Beta, ZeroDivision: r.ZeroDivision}
			for i, row := range scores {
				for _, j := range expectedFSet(row, o) {
					out[i][j] = true
				}
			}
		}})
}

// fitExpectedF fits Platt calibration on the held-out split and returns an
// ExpectedF rule that decides calibrated scores. Its cost is cubic in the
// number of labels per sample.
func fitExpectedF(fit infer.Set, o Options) (*Rules, error) {
	if err := prepare(fit, o); err != nil {
		return nil, err
	}
	c, err := FitCalibration(fit, Platt)
	if err != nil {
		return nil, err
	}
	return &Rules{Kind: ExpectedF, Beta: o.Beta, ZeroDivision: o.ZeroDivision, Labels: fit.NumLabels(), Calibration: c}, nil
}

// addBernoulli returns the distribution of a count plus one Bernoulli(p).
func addBernoulli(dist []float64, p float64) []float64 {
	out := make([]float64, len(dist)+1)
	for k, q := range dist {
		out[k] += q * (1 - p)
		out[k+1] += q * p
	}
	return out
}

// expectedFSet returns the labels to predict for probabilities p. Under
// independence the optimum holds the k most probable labels for some k, so
// it scores each k exactly: with A the positives among the top k and C
// those among the rest, E[F] = Σ P(A=a) P(C=c) F(tp=a, fp=k−a, fn=c).
func expectedFSet(p []float64, o metrics.Options) []int {
	idx := make([]int, len(p))
	for k := range idx {
		idx[k] = k
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	// rest[k] is the distribution of positives among idx[k:].
	rest := make([][]float64, len(p)+1)
	rest[len(p)] = []float64{1}
	for k := len(p) - 1; k >= 0; k-- {
		rest[k] = addBernoulli(rest[k+1], p[idx[k]])
	}
	top := []float64{1}
	bestK, best := 0, -1.0
	for k := 0; k <= len(p); k++ {
		if k > 0 {
			top = addBernoulli(top, p[idx[k-1]])
		}
		e := 0.0
		for a, pa := range top {
			for c, pc := range rest[k] {
				if pa*pc != 0 {
					e += pa * pc * o.Score(metrics.Counts{TP: a, FP: k - a, FN: c}).F
				}
			}
		}
		if e > best+1e-15 {
			bestK, best = k, e
		}
	}
	return idx[:bestK]
}
