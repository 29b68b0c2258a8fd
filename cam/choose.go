package cam

import "slices"

// Choose returns the indices into labels of the labels whose maps to draw:
// forced alone when it is an index (not -1), else the predicted labels in
// their order, else the top-scoring label, in which case fallback is true.
func Choose(labels, predicted []string, scores []float64, forced int) (chosen []int, fallback bool) {
	if forced >= 0 {
		return []int{forced}, false
	}
	for _, l := range predicted {
		chosen = append(chosen, slices.Index(labels, l))
	}
	if len(chosen) > 0 {
		return chosen, false
	}
	best := 0
	for i, v := range scores {
		if v > scores[best] {
			best = i
		}
	}
	return []int{best}, true
}

// Peak returns the row and column of the largest value of a map w wide
// (the first one on ties).
func Peak(values []float32, w int) (row, col int) {
	best := 0
	for i, v := range values {
		if v > values[best] {
			best = i
		}
	}
	return best / w, best % w
}
