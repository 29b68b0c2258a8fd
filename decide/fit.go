package decide

import (
	"fmt"

	"mlabel/infer"
	"mlabel/metrics"
)

// Objective names the metric a rule maximises on the fitting split.
type Objective string

const (
	// LabelF maximises each label's F-beta separately.
	LabelF Objective = "label"
	// SamplesF maximises the samples-averaged F-beta (Kaggle Planet's F2).
	SamplesF Objective = "samples"
	// MicroF maximises the micro-averaged F-beta.
	MicroF Objective = "micro"
)

// Options controls fitting.
type Options struct {
	// Beta weighs recall against precision; it must be positive.
	Beta float64
	// ZeroDivision is the value of an undefined precision or recall (0 or
	// 1), as in scikit-learn.
	ZeroDivision float64
	// Objective is what per-class thresholds maximise: LabelF stops at each
	// label's own optimum; SamplesF then refines by coordinate ascent on the
	// samples F-beta; MicroF refines on micro F-beta. The global threshold
	// maximises MicroF when Objective is MicroF, SamplesF otherwise.
	Objective Objective
	// MinPositives is the number of held-out positives below which a label's
	// threshold is shrunk toward the global one and flagged.
	MinPositives int
	// MinPrecision, when positive, is the least precision on the fitting
	// split a per-class threshold keeps: a label's threshold is raised to
	// the lowest one at which the images it predicts reach it (where some
	// threshold does), after the objective's fit.
	MinPrecision float64
	// Bootstrap is the number of resamples for the 90% threshold intervals
	// (0 skips them).
	Bootstrap int
	// Seed seeds the bootstrap.
	Seed uint64
}

// DefaultOptions targets samples F2 with 5 minimum positives, a precision
// floor of DefaultMinPrecision and 200 bootstrap resamples.
func DefaultOptions() Options {
	return Options{Beta: 2, Objective: SamplesF, MinPositives: 5, MinPrecision: DefaultMinPrecision, Bootstrap: 200, Seed: 1}
}

func (o Options) validate() error {
	if !(o.Beta > 0) {
		return fmt.Errorf("decide: beta %v must be positive", o.Beta)
	}
	if o.ZeroDivision != 0 && o.ZeroDivision != 1 {
		return fmt.Errorf("decide: zero division %v, want 0 or 1", o.ZeroDivision)
	}
	switch o.Objective {
	case LabelF, SamplesF, MicroF:
	default:
		return fmt.Errorf("decide: unknown objective %q", o.Objective)
	}
	if !(o.MinPrecision >= 0 && o.MinPrecision <= 1) {
		return fmt.Errorf("decide: minimum precision %v outside 0..1", o.MinPrecision)
	}
	if o.MinPositives < 0 || o.Bootstrap < 0 {
		return fmt.Errorf("decide: negative MinPositives %d or Bootstrap %d", o.MinPositives, o.Bootstrap)
	}
	return nil
}

func (o Options) metric() metrics.Options {
	return metrics.Options{Beta: o.Beta, ZeroDivision: o.ZeroDivision}
}

// prepare validates options and the split.
func prepare(fit infer.Set, o Options) error {
	if err := o.validate(); err != nil {
		return err
	}
	return validate(fit)
}

// fitGlobal returns the single threshold that maximises samples F-beta (or
// micro F-beta when o.Objective is MicroF) over every distinct held-out
// score.
func fitGlobal(fit infer.Set, o Options) (*Rules, error) {
	if err := prepare(fit, o); err != nil {
		return nil, err
	}
	thr := globalBest(fit, o)
	return &Rules{Kind: Global, Objective: o.globalObjective(), Beta: o.Beta, Labels: fit.NumLabels(),
		Global: thr, Positives: fit.Positives()}, nil
}

func (o Options) globalObjective() Objective {
	if o.Objective == MicroF {
		return MicroF
	}
	return SamplesF
}

// allLabels returns 0..n-1.
func allLabels(n int) []int {
	out := make([]int, n)
	for j := range out {
		out[j] = j
	}
	return out
}

// globalBest sweeps one threshold over all known entries.
func globalBest(fit infer.Set, o Options) float64 {
	es := entries(fit, allLabels(fit.NumLabels())...)
	if o.globalObjective() == MicroF {
		m := &microState{o: o.metric()}
		for _, e := range es {
			if e.y {
				m.c.FN++
			}
		}
		thr, _ := sweep(es, m.add, m.value)
		return thr
	}
	none := make([][]bool, len(fit.Scores))
	for i := range none {
		none[i] = make([]bool, fit.NumLabels())
	}
	st := newSampleState(fit, none, -1, o.metric())
	thr, _ := sweep(es, st.add, st.value)
	return thr
}

// FitPerClass fits one threshold per label: each label's exact F-beta
// optimum over its sorted held-out scores, then, for the SamplesF and MicroF
// objectives, coordinate ascent on that average from there. Labels with
// fewer than o.MinPositives held-out positives are shrunk toward the global
// threshold (weight positives/MinPositives on their own) and flagged; they
// are left out of the coordinate ascent. With o.Bootstrap > 0 each label's
// threshold gets a bootstrap 90% interval of its per-label optimum, shrunk
// as the threshold is; Rules.IntervalNote says why a threshold lies outside.
func FitPerClass(fit infer.Set, o Options) (*Rules, error) {
	if err := prepare(fit, o); err != nil {
		return nil, err
	}
	n := fit.NumLabels()
	r := &Rules{Kind: PerClass, Objective: o.Objective, Beta: o.Beta, Labels: n,
		Global: globalBest(fit, o), PerClass: make([]float64, n), Shrunk: make([]bool, n),
		Positives: fit.Positives()}
	sorted := make([][]entry, n)
	shrink := make([]float64, n) // the weight of each label's own optimum
	for j := range sorted {
		sorted[j] = entries(fit, j)
		r.PerClass[j], _ = labelBest(sorted[j], nil, o.metric())
		shrink[j] = 1
		if p := r.Positives[j]; p < o.MinPositives {
			shrink[j] = float64(p) / float64(o.MinPositives)
			r.PerClass[j] = shrink[j]*r.PerClass[j] + (1-shrink[j])*r.Global
			r.Shrunk[j] = true
		}
	}
	if o.Objective != LabelF {
		ascend(fit, r, sorted, o)
	}
	applyFloor(r, sorted, o)
	if o.Bootstrap > 0 {
		r.Intervals = bootstrapIntervals(fit, sorted, o, r.Global, shrink)
	}
	return r, nil
}

// fitTopK picks the k in 1..labels that maximises samples F-beta.
func fitTopK(fit infer.Set, o Options) (*Rules, error) {
	if err := prepare(fit, o); err != nil {
		return nil, err
	}
	best, bestK := -1.0, 1
	for k := 1; k <= fit.NumLabels(); k++ {
		r := &Rules{Kind: TopK, Labels: fit.NumLabels(), K: k}
		f, err := metrics.ScorePRF(fit.Truth, r.Apply(fit.Scores), fit.Mask, metrics.Samples, o.metric())
		if err != nil {
			return nil, fmt.Errorf("decide: top-k: %w", err)
		}
		if f.F > best {
			best, bestK = f.F, k
		}
	}
	return &Rules{Kind: TopK, Objective: SamplesF, Beta: o.Beta, Labels: fit.NumLabels(), K: bestK}, nil
}

// fitPCut records each label's known positive rate on the fitting split.
func fitPCut(fit infer.Set) (*Rules, error) {
	if err := validate(fit); err != nil {
		return nil, err
	}
	n := fit.NumLabels()
	r := &Rules{Kind: PCut, Labels: n, Prevalence: make([]float64, n), Positives: fit.Positives()}
	for j := 0; j < n; j++ {
		known := 0
		for i := range fit.Truth {
			if fit.Known(i, j) {
				known++
			}
		}
		if known > 0 {
			r.Prevalence[j] = float64(r.Positives[j]) / float64(known)
		}
	}
	return r, nil
}
