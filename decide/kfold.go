package decide

import (
	"fmt"
	"math/rand/v2"

	"mlabel/infer"
)

// KFold assigns each of n samples to one of k folds of near-equal size, in a
// seeded random order.
func KFold(n, k int, seed uint64) ([]int, error) {
	if k < 2 || k > n {
		return nil, fmt.Errorf("decide: %d folds for %d samples", k, n)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6a09e667f3bcc909))
	folds := make([]int, n)
	for i, p := range rng.Perm(n) {
		folds[p] = i % k
	}
	return folds, nil
}

// crossDecide estimates a rule honestly on out-of-fold predictions: for
// each fold it fits the rule on the other folds' rows of data and decides
// that fold's rows. data must hold out-of-fold scores (each row scored by a
// model that did not train on it); folds gives each row's fold.
func crossDecide(data infer.Set, folds []int, kind Kind, o Options) ([][]bool, error) {
	if len(folds) != len(data.Scores) {
		return nil, fmt.Errorf("decide: %d fold indices for %d samples", len(folds), len(data.Scores))
	}
	byFold := map[int][]int{}
	for i, f := range folds {
		byFold[f] = append(byFold[f], i)
	}
	if len(byFold) < 2 {
		return nil, fmt.Errorf("decide: need at least 2 folds, got %d", len(byFold))
	}
	out := make([][]bool, len(data.Scores))
	for f, rows := range byFold {
		var rest []int
		for i, g := range folds {
			if g != f {
				rest = append(rest, i)
			}
		}
		r, err := Fit(data.Rows(rest), kind, o)
		if err != nil {
			return nil, fmt.Errorf("decide: fold %d: %w", f, err)
		}
		pred := r.Apply(data.Rows(rows).Scores)
		for k, i := range rows {
			out[i] = pred[k]
		}
	}
	return out, nil
}
