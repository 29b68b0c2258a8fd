package decide

import (
	"mlabel/metrics"

	"mlabel/infer"
)

// maxRounds bounds the coordinate ascent passes over the labels.
const maxRounds = 20

// ascend improves r.PerClass for the samples (or micro) F-beta one label at
// a time, each step the exact optimum over that label's sorted scores with
// the other labels fixed, until a full pass gains nothing. Shrunk labels
// keep their threshold.
func ascend(fit infer.Set, r *Rules, sorted [][]entry, o Options) {
	m := o.metric()
	for round := 0; round < maxRounds; round++ {
		improved := false
		for j := range r.PerClass {
			if r.Shrunk[j] {
				continue
			}
			pred := r.Apply(fit.Scores)
			current := objective(fit, pred, o)
			var thr, best float64
			if o.Objective == MicroF {
				st := newMicroState(fit, pred, j, m)
				thr, best = sweep(sorted[j], st.add, st.value)
			} else {
				st := newSampleState(fit, pred, j, m)
				thr, best = sweep(sorted[j], st.add, st.value)
			}
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

// objective scores decisions with the options' average, recomputed from
// scratch.
func objective(fit infer.Set, pred [][]bool, o Options) float64 {
	avg := metrics.Samples
	if o.Objective == MicroF {
		avg = metrics.Micro
	}
	f, err := metrics.ScorePRF(fit.Truth, pred, fit.Mask, avg, o.metric())
	if err != nil {
		return 0
	}
	return f.F
}

// newMicroState pools the counts of pred on the known entries, with label
// skip starting predicted negative.
func newMicroState(fit infer.Set, pred [][]bool, skip int, m metrics.Options) *microState {
	st := &microState{o: m}
	for _, c := range newSampleState(fit, pred, skip, m).counts {
		st.c.TP += c.TP
		st.c.FP += c.FP
		st.c.FN += c.FN
	}
	return st
}
