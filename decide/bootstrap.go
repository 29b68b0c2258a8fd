package decide

import (
	"math/rand/v2"
	"sort"

	"mlabel/infer"
	"mlabel/metrics"
)

// bootstrapIntervals resamples the fitting rows o.Bootstrap times (seeded by
// o.Seed), refits each label's exact F-beta threshold on every resample and
// returns the 5th and 95th percentiles.
func bootstrapIntervals(fit infer.Set, sorted [][]entry, o Options) []Interval {
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
			draws[j] = append(draws[j], thr)
		}
	}
	out := make([]Interval, len(sorted))
	for j, d := range draws {
		sort.Float64s(d)
		out[j] = Interval{Low: metrics.Quantile(d, 0.05), High: metrics.Quantile(d, 0.95)}
	}
	return out
}
