package decide

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"mlabel/infer"
	"mlabel/metrics"
)

// bootstrapIntervals resamples the fitting rows o.Bootstrap times (seeded by
// o.Seed), refits each label's exact F-beta threshold on every resample,
// shrinking it toward global as the fit does (by shrink[j], the weight of
// the label's own optimum; 1 for a label not shrunk), and returns the 5th and
// 95th percentiles.
func bootstrapIntervals(fit infer.Set, sorted [][]entry, o Options, global float64, shrink []float64) []Interval {
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	n := len(fit.Scores)
	draws := make([][]float64, len(sorted))
	weight := make([]int, n)
	for b := 0; b < o.Bootstrap; b++ {
		clear(weight)
		for k := 0; k < n; k++ {
			weight[rng.IntN(n)]++
		}
		for j, es := range sorted {
			thr, _ := labelBest(es, weight, o.metric())
			draws[j] = append(draws[j], shrink[j]*thr+(1-shrink[j])*global)
		}
	}
	out := make([]Interval, len(sorted))
	for j, d := range draws {
		sort.Float64s(d)
		out[j] = Interval{Low: metrics.Quantile(d, 0.05), High: metrics.Quantile(d, 0.95)}
	}
	return out
}

// Contains reports whether x lies in the interval.
func (iv Interval) Contains(x float64) bool { return iv.Low <= x && x <= iv.High }

// IntervalNote says why label j's threshold lies outside its bootstrap
// interval, or returns "" when it lies inside (or there is no interval).
// The interval is of the label's own F-beta optimum, shrunk as the fit
// shrinks it; a samples or micro objective then moves the threshold by
// coordinate ascent on the average, which the interval does not follow; and
// a percentile interval of a discrete, skewed optimum can miss the
// full-data optimum when that optimum is unstable.
func (r *Rules) IntervalNote(j int) string {
	if r.Kind != PerClass || j >= len(r.Intervals) || j >= len(r.PerClass) || r.Intervals[j].Contains(r.PerClass[j]) {
		return ""
	}
	if r.Objective == SamplesF || r.Objective == MicroF {
		return fmt.Sprintf("outside: the interval is of the label's own F%g optimum; the threshold was then tuned jointly for %s F%g", r.Beta, r.Objective, r.Beta)
	}
	return "outside: the label's optimum is unstable under resampling (few positives or a flat F-beta curve)"
}
