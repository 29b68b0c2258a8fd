package metrics

import "fmt"

// Counts is a 2×2 confusion matrix for one label (or one sample, or pooled).
type Counts struct {
	// TP, FP, FN and TN count true and false positives and negatives.
	TP int `json:"tp"`
	FP int `json:"fp"`
	FN int `json:"fn"`
	TN int `json:"tn"`
}

// Matrix returns the counts in scikit-learn's layout [[tn, fp], [fn, tp]].
func (c Counts) Matrix() [2][2]int {
	return [2][2]int{{c.TN, c.FP}, {c.FN, c.TP}}
}

// add counts one known entry.
func (c *Counts) add(truth float64, pred bool) {
	switch {
	case truth == 1 && pred:
		c.TP++
	case truth == 1:
		c.FN++
	case pred:
		c.FP++
	default:
		c.TN++
	}
}

// Binarize turns scores into decisions: a score at or above its label's
// threshold is positive. thresholds may be nil (0.5 for every label), hold
// one global threshold, or one threshold per label.
func Binarize(scores [][]float64, thresholds []float64) ([][]bool, error) {
	out := make([][]bool, len(scores))
	for i, row := range scores {
		if len(thresholds) > 1 && len(thresholds) != len(row) {
			return nil, fmt.Errorf("metrics: %d thresholds for %d labels in row %d", len(thresholds), len(row), i)
		}
		out[i] = make([]bool, len(row))
		for j, v := range row {
			out[i][j] = v >= ThresholdFor(thresholds, j)
		}
	}
	return out, nil
}

// ThresholdFor returns label j's threshold from nil (0.5), one global or
// per-label thresholds.
func ThresholdFor(thresholds []float64, j int) float64 {
	switch {
	case len(thresholds) == 1:
		return thresholds[0]
	case len(thresholds) > 1:
		return thresholds[j]
	}
	return 0.5
}

// Confusion returns the confusion matrix of each label over its known
// samples, as scikit-learn's multilabel_confusion_matrix.
func Confusion(truth [][]float64, pred [][]bool, mask [][]bool) ([]Counts, error) {
	s, err := check(truth, pred, "predictions", mask)
	if err != nil {
		return nil, err
	}
	return s.perLabel(truth, pred), nil
}

// perLabel counts each label's known entries.
func (s shape) perLabel(truth [][]float64, pred [][]bool) []Counts {
	out := make([]Counts, s.l)
	for i := 0; i < s.n; i++ {
		for j := 0; j < s.l; j++ {
			if s.known(i, j) {
				out[j].add(truth[i][j], pred[i][j])
			}
		}
	}
	return out
}

// perSample counts each sample's known entries; samples with no known label
// are left out.
func (s shape) perSample(truth [][]float64, pred [][]bool) []Counts {
	var out []Counts
	for i := 0; i < s.n; i++ {
		if !s.rowKnown(i) {
			continue
		}
		var c Counts
		for j := 0; j < s.l; j++ {
			if s.known(i, j) {
				c.add(truth[i][j], pred[i][j])
			}
		}
		out = append(out, c)
	}
	return out
}

// total returns the number of entries counted.
func (c Counts) total() int { return c.TP + c.FP + c.FN + c.TN }

// pooled sums counts.
func pooled(cs []Counts) Counts {
	var t Counts
	for _, c := range cs {
		t.TP += c.TP
		t.FP += c.FP
		t.FN += c.FN
		t.TN += c.TN
	}
	return t
}
