package shift

import (
	"fmt"
	"math"
	"sort"
)

// ksC01 is the Kolmogorov distribution's 99th percentile: two samples of
// sizes n and m differ at the 1% level when their KS statistic exceeds
// ksC01·√((n+m)/(n·m)).
const ksC01 = 1.6276

// Drift compares one label's scores on a batch with validation's.
type Drift struct {
	// KS is the two-sample Kolmogorov–Smirnov statistic between the
	// validation scores (from the reference's quantiles) and the batch's;
	// Critical is its 1% critical value for the two sizes.
	KS       float64 `json:"ks"`
	Critical float64 `json:"critical"`
	// ScoresMoved reports KS > Critical; PrevalenceMoved that the
	// prevalence estimate's interval excludes validation's prevalence.
	ScoresMoved     bool `json:"scores_moved"`
	PrevalenceMoved bool `json:"prevalence_moved"`
}

// Covariate reports a drift recalibration does not correct: the scores
// moved while the prevalence estimate did not, so the images look
// different rather than the label holding more or less often.
func (d Drift) Covariate() bool { return d.ScoresMoved && !d.PrevalenceMoved }

// Compare measures each label's drift between the reference and a batch
// of raw scores ([image][label]) with prevalence estimates est.
func Compare(ref *Reference, scores [][]float64, est []Estimate) ([]Drift, error) {
	n := len(ref.Scores)
	if len(est) != n {
		return nil, fmt.Errorf("shift: %d estimates for %d labels", len(est), n)
	}
	if len(scores) == 0 || ref.Images == 0 {
		return nil, fmt.Errorf("shift: nothing to compare (%d batch images, %d validation images)", len(scores), ref.Images)
	}
	m := float64(len(scores))
	crit := ksC01 * math.Sqrt((float64(ref.Images)+m)/(float64(ref.Images)*m))
	out := make([]Drift, n)
	col := make([]float64, len(scores))
	for j := range out {
		for i, row := range scores {
			if len(row) != n {
				return nil, fmt.Errorf("shift: image %d has %d scores for %d labels", i, len(row), n)
			}
			col[i] = row[j]
		}
		ks := KS(ref.Scores[j], col)
		out[j] = Drift{KS: ks, Critical: crit, ScoresMoved: ks > crit, PrevalenceMoved: est[j].Moved()}
	}
	return out, nil
}

// KS returns the largest distance between the distribution function whose
// evenly spaced quantiles (0, 1/(k−1), ..., 1) are q, interpolated
// linearly, and the empirical distribution function of xs.
func KS(q, xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := float64(len(s))
	d := 0.0
	// The empirical function jumps at each x; the reference is continuous
	// and increasing, so the supremum is at a jump or at a quantile.
	for k, x := range s {
		f := quantileCDF(q, x)
		d = math.Max(d, math.Max(math.Abs(f-float64(k)/n), math.Abs(f-float64(k+1)/n)))
	}
	for _, x := range q {
		e := float64(sort.SearchFloat64s(s, math.Nextafter(x, math.Inf(1)))) / n
		d = math.Max(d, math.Abs(quantileCDF(q, x)-e))
	}
	return d
}

// quantileCDF inverts a quantile function given at evenly spaced levels.
func quantileCDF(q []float64, x float64) float64 {
	last := len(q) - 1
	if last < 1 || x < q[0] {
		return 0
	}
	if x >= q[last] {
		return 1
	}
	// k is the last level whose quantile is at most x.
	k := sort.Search(len(q), func(i int) bool { return q[i] > x }) - 1
	frac := 0.0
	if w := q[k+1] - q[k]; w > 0 {
		frac = (x - q[k]) / w
	}
	return (float64(k) + frac) / float64(last)
}
