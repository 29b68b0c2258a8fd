package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Split divides the items of ds into subsets of the given fractions (for
// example 0.7, 0.15, 0.15 for train, validation and test) by iterative
// stratification, so that each label's positives are spread in the same
// proportions. It returns the item indices of each subset, ascending. The
// same seed gives the same split.
func Split(ds *Dataset, fractions []float64, seed uint64) ([][]int, error) {
	if err := checkFractions(fractions); err != nil {
		return nil, err
	}
	return stratify(positives(ds), len(ds.Labels), fractions, seed), nil
}

// Folds divides the items of ds into k folds of equal size by iterative
// stratification, for k-fold cross-validation.
func Folds(ds *Dataset, k int, seed uint64) ([][]int, error) {
	if k < 2 {
		return nil, fmt.Errorf("dataset: need at least 2 folds, got %d", k)
	}
	if k > len(ds.Items) {
		return nil, fmt.Errorf("dataset: %d folds for %d images", k, len(ds.Items))
	}
	fr := make([]float64, k)
	for i := range fr {
		fr[i] = 1 / float64(k)
	}
	return stratify(positives(ds), len(ds.Labels), fr, seed), nil
}

func checkFractions(fr []float64) error {
	sum := 0.0
	for _, f := range fr {
		if !(f > 0) {
			return fmt.Errorf("dataset: split fractions must be positive, got %v", fr)
		}
		sum += f
	}
	if len(fr) == 0 || math.Abs(sum-1) > 1e-6 {
		return fmt.Errorf("dataset: split fractions %v must sum to 1", fr)
	}
	return nil
}

func positives(ds *Dataset) [][]int {
	pos := make([][]int, len(ds.Items))
	for i, it := range ds.Items {
		pos[i] = it.Pos
	}
	return pos
}

// stratify implements iterative stratification (Sechidis, Tsoumakas and
// Vlahavas, 2011). labels[i] lists the positive labels (0..nLabels-1) of
// item i; fractions are the subsets' shares, positive and summing to 1. The
// rarest remaining label is handled first; each of its items goes to the
// subset that most lacks that label, ties broken by the subset that most
// lacks items, then at random. Items without labels go to the subset that
// most lacks items.
func stratify(labels [][]int, nLabels int, fractions []float64, seed uint64) [][]int {
	rng := rand.New(rand.NewPCG(seed, 0x5eed5eed))
	k, n := len(fractions), len(labels)
	order := rng.Perm(n)
	byLabel := make([][]int, nLabels)
	var unlabelled []int
	for _, i := range order {
		if len(labels[i]) == 0 {
			unlabelled = append(unlabelled, i)
		}
		for _, l := range labels[i] {
			byLabel[l] = append(byLabel[l], i)
		}
	}
	want := make([]float64, k)    // items each subset still needs
	wantL := make([][]float64, k) // positives of each label each subset still needs
	for j, f := range fractions {
		want[j] = f * float64(n)
		wantL[j] = make([]float64, nLabels)
		for l := range byLabel {
			wantL[j][l] = f * float64(len(byLabel[l]))
		}
	}
	remaining := make([]int, nLabels)
	for l := range byLabel {
		remaining[l] = len(byLabel[l])
	}
	subset := make([]int, n)
	for i := range subset {
		subset[i] = -1
	}
	assign := func(i, j int) {
		subset[i] = j
		want[j]--
		for _, l := range labels[i] {
			wantL[j][l]--
			remaining[l]--
		}
	}
	for {
		l := rarest(remaining, rng)
		if l < 0 {
			break
		}
		for _, i := range byLabel[l] {
			if subset[i] < 0 {
				assign(i, pick(k, func(j int) (float64, float64) { return wantL[j][l], want[j] }, rng))
			}
		}
	}
	for _, i := range unlabelled {
		assign(i, pick(k, func(j int) (float64, float64) { return want[j], 0 }, rng))
	}
	out := make([][]int, k)
	for i, j := range subset {
		out[j] = append(out[j], i)
	}
	return out
}

// rarest returns the label with the fewest (but some) unassigned positives,
// a random one among ties, or -1 when none is left.
func rarest(remaining []int, rng *rand.Rand) int {
	best, ties := -1, 0
	for l, r := range remaining {
		switch {
		case r <= 0:
		case best < 0 || r < remaining[best]:
			best, ties = l, 1
		case r == remaining[best]:
			ties++
			if rng.IntN(ties) == 0 { // reservoir choice among ties
				best = l
			}
		}
	}
	return best
}

// pick returns the subset with the largest primary need, ties broken by the
// secondary need, then at random.
func pick(k int, need func(j int) (primary, secondary float64), rng *rand.Rand) int {
	best, ties := 0, 1
	bp, bs := need(0)
	for j := 1; j < k; j++ {
		p, s := need(j)
		switch {
		case p > bp || (p == bp && s > bs):
			best, ties, bp, bs = j, 1, p, s
		case p == bp && s == bs:
			ties++
			if rng.IntN(ties) == 0 {
				best = j
			}
		}
	}
	return best
}

// SplitStats describes how a split spreads each label.
type SplitStats struct {
	Labels []string `json:"labels"`
	// Sizes[j] is the number of images in subset j.
	Sizes []int `json:"sizes"`
	// Counts[j][l] is the number of positives of label l in subset j.
	Counts [][]int `json:"counts"`
	// Proportions[j][l] is the share of label l's positives in subset j
	// (0 when the label has none).
	Proportions [][]float64 `json:"proportions"`
}

// Stats returns the label counts and proportions of each subset.
func Stats(ds *Dataset, subsets [][]int) SplitStats {
	st := SplitStats{Labels: ds.Labels, Sizes: make([]int, len(subsets))}
	total := ds.Counts()
	for j, idx := range subsets {
		st.Sizes[j] = len(idx)
		c := ds.Subset(idx).Counts()
		p := make([]float64, len(c))
		for l := range c {
			if total[l] > 0 {
				p[l] = float64(c[l]) / float64(total[l])
			}
		}
		st.Counts = append(st.Counts, c)
		st.Proportions = append(st.Proportions, p)
	}
	return st
}
