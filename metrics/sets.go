package metrics

import "fmt"

// SubsetAccuracy returns the fraction of samples whose known labels are all
// predicted exactly.
func SubsetAccuracy(truth [][]float64, pred [][]bool, mask [][]bool) (float64, error) {
	s, err := check(truth, pred, "predictions", mask)
	if err != nil {
		return 0, err
	}
	var hits []float64
	for _, c := range s.perSample(truth, pred) {
		v := 0.0
		if c.FP+c.FN == 0 {
			v = 1
		}
		hits = append(hits, v)
	}
	return mean(hits)
}

// HammingLoss returns the fraction of known entries predicted wrongly.
func HammingLoss(truth [][]float64, pred [][]bool, mask [][]bool) (float64, error) {
	s, err := check(truth, pred, "predictions", mask)
	if err != nil {
		return 0, err
	}
	c := pooled(s.perLabel(truth, pred))
	if c.total() == 0 {
		return 0, ErrNoKnown
	}
	return float64(c.FP+c.FN) / float64(c.total()), nil
}

// Jaccard returns the Jaccard index tp/(tp+fp+fn) with the Samples, Micro or
// Macro average, as scikit-learn's jaccard_score; zeroDiv is the value of an
// empty union.
func Jaccard(truth [][]float64, pred [][]bool, mask [][]bool, avg Average, zeroDiv float64) (float64, error) {
	s, err := check(truth, pred, "predictions", mask)
	if err != nil {
		return 0, err
	}
	if err := (Options{ZeroDivision: zeroDiv}).validate(); err != nil {
		return 0, err
	}
	var units []Counts
	switch avg {
	case Samples:
		units = s.perSample(truth, pred)
	case Micro:
		units = []Counts{pooled(s.perLabel(truth, pred))}
		if units[0].total() == 0 {
			return 0, ErrNoKnown
		}
	case Macro:
		units = withKnown(s.perLabel(truth, pred))
	default:
		return 0, fmt.Errorf("metrics: jaccard does not support the %v average", avg)
	}
	vals := make([]float64, len(units))
	for k, c := range units {
		vals[k] = divide(float64(c.TP), float64(c.TP+c.FP+c.FN), zeroDiv)
	}
	return mean(vals)
}
