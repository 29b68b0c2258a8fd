package metrics

import (
	"errors"
	"fmt"
	"math"
)

// ErrNoKnown is returned when a metric has no known entry to work on.
var ErrNoKnown = errors.New("metrics: no known entries")

// shape holds the dimensions of validated inputs and their mask.
type shape struct {
	n, l int
	mask [][]bool
}

// known reports whether entry (i, j) is known.
func (s shape) known(i, j int) bool {
	return s.mask == nil || s.mask[i][j]
}

// rowKnown reports whether sample i has at least one known label.
func (s shape) rowKnown(i int) bool {
	for j := 0; j < s.l; j++ {
		if s.known(i, j) {
			return true
		}
	}
	return false
}

// dims returns the size of a rectangular matrix, or an error naming it.
func dims[T any](name string, m [][]T) (int, int, error) {
	if len(m) == 0 {
		return 0, 0, fmt.Errorf("metrics: %s is empty", name)
	}
	l := len(m[0])
	if l == 0 {
		return 0, 0, fmt.Errorf("metrics: %s has no labels", name)
	}
	for i, row := range m {
		if len(row) != l {
			return 0, 0, fmt.Errorf("metrics: %s row %d has %d labels, want %d", name, i, len(row), l)
		}
	}
	return len(m), l, nil
}

// check validates truth against a second matrix of the same shape and the
// optional mask. Truth entries must be 0 or 1 where known.
func check[T any](truth [][]float64, other [][]T, otherName string, mask [][]bool) (shape, error) {
	n, l, err := dims("truth", truth)
	if err != nil {
		return shape{}, err
	}
	on, ol, err := dims(otherName, other)
	if err != nil {
		return shape{}, err
	}
	if on != n || ol != l {
		return shape{}, fmt.Errorf("metrics: %s is %dx%d but truth is %dx%d", otherName, on, ol, n, l)
	}
	if mask != nil {
		mn, ml, err := dims("mask", mask)
		if err != nil {
			return shape{}, err
		}
		if mn != n || ml != l {
			return shape{}, fmt.Errorf("metrics: mask is %dx%d but truth is %dx%d", mn, ml, n, l)
		}
	}
	s := shape{n: n, l: l, mask: mask}
	for i, row := range truth {
		for j, v := range row {
			if s.known(i, j) && v != 0 && v != 1 {
				return shape{}, fmt.Errorf("metrics: truth[%d][%d] = %v, want 0 or 1", i, j, v)
			}
		}
	}
	return s, nil
}

// checkScores validates a score matrix against truth: scores must be finite.
func checkScores(truth, scores [][]float64, mask [][]bool) (shape, error) {
	s, err := check(truth, scores, "scores", mask)
	if err != nil {
		return s, err
	}
	for i, row := range scores {
		for j, v := range row {
			if s.known(i, j) && (math.IsNaN(v) || math.IsInf(v, 0)) {
				return shape{}, fmt.Errorf("metrics: scores[%d][%d] = %v is not finite", i, j, v)
			}
		}
	}
	return s, nil
}

// divide returns num/den, or zeroDiv when den is zero, as scikit-learn does.
func divide(num, den, zeroDiv float64) float64 {
	if den == 0 {
		return zeroDiv
	}
	return num / den
}

// fbeta combines precision and recall as scikit-learn does: 0 when both are 0.
func fbeta(p, r, beta float64) float64 {
	b2 := beta * beta
	den := b2*p + r
	if den == 0 {
		return 0
	}
	return (1 + b2) * p * r / den
}

// mean returns the arithmetic mean of xs, or ErrNoKnown when xs is empty.
func mean(xs []float64) (float64, error) {
	if len(xs) == 0 {
		return 0, ErrNoKnown
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs)), nil
}

// Validate checks that truth, scores and the optional mask have one shape,
// that known truth entries are 0 or 1 and known scores are finite.
func Validate(truth, scores [][]float64, mask [][]bool) error {
	_, err := checkScores(truth, scores, mask)
	return err
}
