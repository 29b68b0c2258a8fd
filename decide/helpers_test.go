package decide

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"mlabel/infer"
	"mlabel/metrics"
)

// randomSplit returns a small seeded split with tied scores and, when
// masked, about 20% unknown entries.
func randomSplit(seed uint64, n, l int, masked bool) infer.Set {
	rng := rand.New(rand.NewPCG(seed, 7))
	s := infer.Set{Scores: make([][]float64, n), Truth: make([][]float64, n)}
	if masked {
		s.Mask = make([][]bool, n)
	}
	for i := 0; i < n; i++ {
		s.Scores[i] = make([]float64, l)
		s.Truth[i] = make([]float64, l)
		if masked {
			s.Mask[i] = make([]bool, l)
		}
		for j := 0; j < l; j++ {
			if rng.Float64() < 0.4 {
				s.Truth[i][j] = 1
			}
			// Round to one decimal so that ties are common.
			s.Scores[i][j] = math.Round((0.3*s.Truth[i][j]+0.7*rng.Float64())*10) / 10
			if masked {
				s.Mask[i][j] = rng.Float64() > 0.2
			}
		}
	}
	return s
}

// candidates returns every distinct known score of label j (or of all
// labels when j < 0), plus one above them all.
func candidates(s infer.Set, j int) []float64 {
	seen := map[float64]bool{2: true}
	for i, row := range s.Scores {
		for k, v := range row {
			if (j < 0 || k == j) && s.Known(i, k) {
				seen[v] = true
			}
		}
	}
	out := make([]float64, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Float64s(out)
	return out
}

// evalF scores per-label thresholds with an average of F-beta.
func evalF(t *testing.T, s infer.Set, thr []float64, avg metrics.Average, o metrics.Options) float64 {
	t.Helper()
	pred, err := metrics.Binarize(s.Scores, thr)
	if err != nil {
		t.Fatal(err)
	}
	f, err := metrics.ScorePRF(s.Truth, pred, s.Mask, avg, o)
	if err != nil {
		t.Fatal(err)
	}
	return f.F
}

// labelF scores one label's F-beta at threshold thr.
func labelF(t *testing.T, s infer.Set, j int, thr float64, o metrics.Options) float64 {
	t.Helper()
	ts := make([]float64, s.NumLabels())
	ts[j] = thr
	pred, err := metrics.Binarize(s.Scores, ts)
	if err != nil {
		t.Fatal(err)
	}
	per, err := metrics.PerLabelPRF(s.Truth, pred, s.Mask, o)
	if err != nil {
		t.Fatal(err)
	}
	return per[j].F
}
