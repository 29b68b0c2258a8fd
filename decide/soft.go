package decide

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// softCounts are expected confusion counts: each entry adds its probability
// of being positive to TP (decided) or FN (not decided), and the rest to FP
// when decided.
type softCounts struct{ tp, fp, fn float64 }

// softF returns the F-beta of expected counts, with scikit-learn's
// zero-division convention for an empty prediction or an empty truth.
func softF(c softCounts, beta, zd float64) float64 {
	const tiny = 1e-12
	b2 := beta * beta
	noPred, noTruth := c.tp+c.fp < tiny, c.tp+c.fn < tiny
	switch {
	case noPred && noTruth:
		return zd
	case noPred || noTruth:
		// Then TP is 0 too: precision or recall is 0, and so is F.
		return 0
	}
	return (1 + b2) * c.tp / ((1+b2)*c.tp + b2*c.fn + c.fp)
}

// softEntries returns every (sample, label j) entry with its probability,
// highest score first.
func softEntries(scores, prob [][]float64, labels ...int) []entry {
	var out []entry
	for i, row := range scores {
		for _, j := range labels {
			out = append(out, entry{i: i, j: j, s: row[j], p: prob[i][j]})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].s > out[b].s })
	return out
}

// softSamples tracks each sample's expected counts and the sum of their
// F-beta, updated one decision at a time.
type softSamples struct {
	beta, zd float64
	counts   []softCounts
	sum      float64
}

// newSoftSamples counts the decisions pred (nil: none), label skip starting
// undecided (skip < 0 skips nothing).
func newSoftSamples(scores, prob [][]float64, pred [][]bool, skip int, beta, zd float64) *softSamples {
	st := &softSamples{beta: beta, zd: zd, counts: make([]softCounts, len(scores))}
	for i, row := range prob {
		c := &st.counts[i]
		for j, p := range row {
			if pred != nil && j != skip && pred[i][j] {
				c.tp += p
				c.fp += 1 - p
			} else {
				c.fn += p
			}
		}
		st.sum += softF(*c, beta, zd)
	}
	return st
}

func (st *softSamples) add(e entry) {
	c := &st.counts[e.i]
	old := softF(*c, st.beta, st.zd)
	c.tp += e.p
	c.fn -= e.p
	c.fp += 1 - e.p
	st.sum += softF(*c, st.beta, st.zd) - old
}

func (st *softSamples) value() float64 { return st.sum / float64(len(st.counts)) }

// fitExpectedPerClass fits per-class thresholds on scores whose truth is not
// known but estimated: prob[i][j] is the probability that label j holds for
// sample i (a posterior, used as a soft label). It is FitPerClass with
// every count replaced by its expectation: each label's threshold maximises
// the F-beta of its expected counts, and with the SamplesF objective
// coordinate ascent then maximises the samples average of each sample's
// expected-count F-beta. A label expected to have fewer than
// o.MinPositives positives is shrunk toward the global threshold and
// flagged, as in FitPerClass. The thresholds apply to scores; prob need not
// be a function of them, but when it is an increasing one (a calibrated
// and shifted score) thresholding either is the same. MicroF is fitted as
// LabelF, and no bootstrap intervals are drawn.
func fitExpectedPerClass(scores, prob [][]float64, toward []float64, o Options) (*Rules, error) {
	return FitExpectedPerClassHolding(scores, prob, toward, nil, o)
}

// FitExpectedPerClassHolding is fitExpectedPerClass with some labels held:
// a label j with hold[j] set keeps toward[j] (the global threshold when
// toward is nil), is flagged Shrunk, and is not moved by the coordinate
// ascent, which fits the other labels around it. hold may be nil.
func FitExpectedPerClassHolding(scores, prob [][]float64, toward []float64, hold []bool, o Options) (*Rules, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if err := checkSoft(scores, prob); err != nil {
		return nil, err
	}
	n := len(scores[0])
	if toward != nil && len(toward) != n {
		return nil, fmt.Errorf("decide: %d thresholds to shrink toward for %d labels", len(toward), n)
	}
	if hold != nil && len(hold) != n {
		return nil, fmt.Errorf("decide: %d held flags for %d labels", len(hold), n)
	}
	r := &Rules{Kind: PerClass, Objective: o.Objective, Beta: o.Beta, Labels: n,
		PerClass: make([]float64, n), Shrunk: make([]bool, n), Positives: make([]int, n)}
	all := make([]int, n)
	for j := range all {
		all[j] = j
	}
	st := newSoftSamples(scores, prob, nil, -1, o.Beta, o.ZeroDivision)
	r.Global, _ = sweep(softEntries(scores, prob, all...), st.add, st.value)
	sorted := make([][]entry, n)
	for j := range sorted {
		sorted[j] = softEntries(scores, prob, j)
		var c softCounts
		for _, e := range sorted[j] {
			c.fn += e.p
		}
		expected := c.fn
		r.Positives[j] = int(math.Round(expected))
		add := func(e entry) { c.tp += e.p; c.fn -= e.p; c.fp += 1 - e.p }
		r.PerClass[j], _ = sweep(sorted[j], add, func() float64 { return softF(c, o.Beta, o.ZeroDivision) })
		if expected < float64(o.MinPositives) {
			w, to := expected/float64(o.MinPositives), r.Global
			if toward != nil {
				to = toward[j]
			}
			r.PerClass[j] = w*r.PerClass[j] + (1-w)*to
			r.Shrunk[j] = true
		}
		if hold != nil && hold[j] {
			r.PerClass[j], r.Shrunk[j] = r.Global, true
			if toward != nil {
				r.PerClass[j] = toward[j]
			}
		}
	}
	if o.Objective == SamplesF {
		softAscend(scores, prob, r, sorted, o)
	}
	return r, nil
}

// softAscend is ascend for the samples average of expected-count F-beta.
func softAscend(scores, prob [][]float64, r *Rules, sorted [][]entry, o Options) {
	for round := 0; round < maxRounds; round++ {
		improved := false
		for j := range r.PerClass {
			if r.Shrunk[j] {
				continue
			}
			pred := r.Apply(scores)
			current := newSoftSamples(scores, prob, pred, -1, o.Beta, o.ZeroDivision).value()
			st := newSoftSamples(scores, prob, pred, j, o.Beta, o.ZeroDivision)
			thr, best := sweep(sorted[j], st.add, st.value)
			if best > current+1e-12 {
				r.PerClass[j] = thr
				improved = true
			}
		}
		if !improved {
			return
		}
	}
}

// checkSoft checks that scores and prob are non-empty matrices of one
// shape with probabilities in [0, 1].
func checkSoft(scores, prob [][]float64) error {
	if len(scores) == 0 {
		return errors.New("decide: no scores to fit on")
	}
	if len(prob) != len(scores) {
		return fmt.Errorf("decide: %d probability rows for %d score rows", len(prob), len(scores))
	}
	n := len(scores[0])
	if n == 0 {
		return errors.New("decide: scores have no labels")
	}
	for i := range scores {
		if len(scores[i]) != n || len(prob[i]) != n {
			return fmt.Errorf("decide: row %d has %d scores and %d probabilities, want %d", i, len(scores[i]), len(prob[i]), n)
		}
		for j, p := range prob[i] {
			if !(p >= 0 && p <= 1) {
				return fmt.Errorf("decide: probability %v at row %d, label %d is outside [0, 1]", p, i, j)
			}
			if math.IsNaN(scores[i][j]) {
				return fmt.Errorf("decide: score at row %d, label %d is NaN", i, j)
			}
		}
	}
	return nil
}
