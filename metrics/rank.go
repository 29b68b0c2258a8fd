package metrics

import (
	"math"
	"sort"
)

// sampleMetric averages fn over each sample's known labels.
func sampleMetric(truth, scores [][]float64, mask [][]bool, fn func(t, s []float64) float64) (float64, error) {
	sh, err := checkScores(truth, scores, mask)
	if err != nil {
		return 0, err
	}
	var vals []float64
	for i := 0; i < sh.n; i++ {
		var t, s []float64
		for j := 0; j < sh.l; j++ {
			if sh.known(i, j) {
				t = append(t, truth[i][j])
				s = append(s, scores[i][j])
			}
		}
		if len(t) > 0 {
			vals = append(vals, fn(t, s))
		}
	}
	return mean(vals)
}

// positives counts the ones in t.
func positives(t []float64) int {
	n := 0
	for _, v := range t {
		if v == 1 {
			n++
		}
	}
	return n
}

// LRAP returns scikit-learn's label_ranking_average_precision_score: for
// each relevant label, the fraction of labels ranked at or above it that are
// relevant. A sample whose labels are all relevant or all irrelevant scores 1.
func LRAP(truth, scores [][]float64, mask [][]bool) (float64, error) {
	return sampleMetric(truth, scores, mask, sampleLRAP)
}

func sampleLRAP(t, s []float64) float64 {
	npos := positives(t)
	if npos == 0 || npos == len(t) {
		return 1
	}
	sum := 0.0
	for r := range t {
		if t[r] != 1 {
			continue
		}
		rank, hits := 0, 0
		for j := range t {
			if s[j] >= s[r] {
				rank++
				if t[j] == 1 {
					hits++
				}
			}
		}
		sum += float64(hits) / float64(rank)
	}
	return sum / float64(npos)
}

// RankingLoss returns scikit-learn's label_ranking_loss: the fraction of
// (relevant, irrelevant) pairs where the irrelevant label scores at least as
// high. A sample with no such pair scores 0.
func RankingLoss(truth, scores [][]float64, mask [][]bool) (float64, error) {
	return sampleMetric(truth, scores, mask, sampleRankingLoss)
}

func sampleRankingLoss(t, s []float64) float64 {
	npos := positives(t)
	if npos == 0 || npos == len(t) {
		return 0
	}
	bad := 0
	for p := range t {
		for q := range t {
			if t[p] == 1 && t[q] != 1 && s[q] >= s[p] {
				bad++
			}
		}
	}
	return float64(bad) / float64(npos*(len(t)-npos))
}

// CoverageError returns scikit-learn's coverage_error: how many labels, on
// average, must be taken from the top of the ranking to cover every relevant
// label (ties count fully). A sample with no relevant label scores 0.
func CoverageError(truth, scores [][]float64, mask [][]bool) (float64, error) {
	return sampleMetric(truth, scores, mask, sampleCoverage)
}

func sampleCoverage(t, s []float64) float64 {
	lowest := math.Inf(1)
	for j := range t {
		if t[j] == 1 && s[j] < lowest {
			lowest = s[j]
		}
	}
	n := 0
	for j := range s {
		if s[j] >= lowest {
			n++
		}
	}
	return float64(n)
}

// NDCG returns scikit-learn's ndcg_score with binary relevance, all ranks
// and ties averaged. A sample with no relevant label scores 0.
func NDCG(truth, scores [][]float64, mask [][]bool) (float64, error) {
	return sampleMetric(truth, scores, mask, sampleNDCG)
}

func sampleNDCG(t, s []float64) float64 {
	discount := make([]float64, len(t))
	for k := range discount {
		discount[k] = 1 / (math.Log(float64(k+2)) / math.Log(2))
	}
	ideal := 0.0
	for k := 0; k < positives(t); k++ {
		ideal += discount[k]
	}
	if ideal == 0 {
		return 0
	}
	idx := make([]int, len(s))
	for k := range idx {
		idx[k] = k
	}
	sort.Slice(idx, func(a, b int) bool { return s[idx[a]] > s[idx[b]] })
	gain := 0.0
	for start := 0; start < len(idx); {
		end := start
		rel, disc := 0.0, 0.0
		for end < len(idx) && s[idx[end]] == s[idx[start]] {
			rel += t[idx[end]]
			disc += discount[end]
			end++
		}
		gain += rel / float64(end-start) * disc
		start = end
	}
	return gain / ideal
}
