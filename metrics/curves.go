package metrics

import (
	"math"
	"sort"
)

// CurvePoint is one operating point of a binary ranking: predicting positive
// every score at or above Threshold.
type CurvePoint struct {
	// Threshold is the score; TP and FP count the positives and negatives
	// scoring at or above it.
	Threshold float64
	TP, FP    int
}

// curve returns one point per distinct score, from the highest threshold to
// the lowest, as scikit-learn's _binary_clf_curve.
func curve(truth []float64, scores []float64) []CurvePoint {
	idx := make([]int, len(scores))
	for k := range idx {
		idx[k] = k
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	var out []CurvePoint
	tp, fp := 0, 0
	for k, i := range idx {
		if truth[i] == 1 {
			tp++
		} else {
			fp++
		}
		if k == len(idx)-1 || scores[idx[k+1]] != scores[i] {
			out = append(out, CurvePoint{Threshold: scores[i], TP: tp, FP: fp})
		}
	}
	return out
}

// PRPoint is one point of a precision-recall curve.
type PRPoint struct {
	// Threshold is the score; Precision and Recall its decisions' values.
	Threshold, Precision, Recall float64
}

// PRCurve returns the precision-recall curve of a binary problem, from the
// highest threshold to the lowest. It is nil when there is no positive.
func PRCurve(truth, scores []float64) []PRPoint {
	pts := curve(truth, scores)
	if len(pts) == 0 || pts[len(pts)-1].TP == 0 {
		return nil
	}
	pos := float64(pts[len(pts)-1].TP)
	out := make([]PRPoint, len(pts))
	for k, p := range pts {
		out[k] = PRPoint{
			Threshold: p.Threshold,
			Precision: float64(p.TP) / float64(p.TP+p.FP),
			Recall:    float64(p.TP) / pos,
		}
	}
	return out
}

// AveragePrecision returns scikit-learn's average_precision_score of a
// binary problem: the sum over thresholds of the recall increase times the
// precision. It is NaN when there is no positive.
func AveragePrecision(truth, scores []float64) float64 {
	pr := PRCurve(truth, scores)
	if pr == nil {
		return math.NaN()
	}
	ap, prev := 0.0, 0.0
	for _, p := range pr {
		ap += (p.Recall - prev) * p.Precision
		prev = p.Recall
	}
	return ap
}

// ROCAUC returns the area under the ROC curve of a binary problem (ties
// count one half), as scikit-learn's roc_auc_score. It is NaN unless there
// is at least one positive and one negative.
func ROCAUC(truth, scores []float64) float64 {
	pts := curve(truth, scores)
	if len(pts) == 0 {
		return math.NaN()
	}
	last := pts[len(pts)-1]
	if last.TP == 0 || last.FP == 0 {
		return math.NaN()
	}
	area, px, py := 0.0, 0.0, 0.0
	for _, p := range pts {
		x := float64(p.FP) / float64(last.FP)
		y := float64(p.TP) / float64(last.TP)
		area += (x - px) * (y + py) / 2
		px, py = x, y
	}
	return area
}

// Column returns label j's known truth and scores.
func Column(truth, scores [][]float64, mask [][]bool, j int) (t, s []float64) {
	for i := range truth {
		if mask == nil || mask[i][j] {
			t = append(t, truth[i][j])
			s = append(s, scores[i][j])
		}
	}
	return t, s
}

// binaryPerLabel applies a binary metric to each label's known samples.
func binaryPerLabel(truth, scores [][]float64, mask [][]bool, fn func(t, s []float64) float64) ([]float64, error) {
	sh, err := checkScores(truth, scores, mask)
	if err != nil {
		return nil, err
	}
	out := make([]float64, sh.l)
	for j := range out {
		t, s := Column(truth, scores, mask, j)
		out[j] = fn(t, s)
	}
	return out, nil
}

// PerLabelAP returns each label's average precision; NaN for a label with no
// known positive.
func PerLabelAP(truth, scores [][]float64, mask [][]bool) ([]float64, error) {
	return binaryPerLabel(truth, scores, mask, AveragePrecision)
}

// PerLabelROCAUC returns each label's ROC AUC; NaN for a label without both
// a known positive and a known negative.
func PerLabelROCAUC(truth, scores [][]float64, mask [][]bool) ([]float64, error) {
	return binaryPerLabel(truth, scores, mask, ROCAUC)
}

// MeanDefined averages the values that are not NaN; ErrNoKnown if none is.
func MeanDefined(xs []float64) (float64, error) {
	var ok []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			ok = append(ok, x)
		}
	}
	return mean(ok)
}

// MeanAPMicro returns the average precision of all known entries pooled
// (scikit-learn's average="micro"). It is NaN when there is no positive.
func MeanAPMicro(truth, scores [][]float64, mask [][]bool) (float64, error) {
	sh, err := checkScores(truth, scores, mask)
	if err != nil {
		return 0, err
	}
	var t, s []float64
	for i := 0; i < sh.n; i++ {
		for j := 0; j < sh.l; j++ {
			if sh.known(i, j) {
				t = append(t, truth[i][j])
				s = append(s, scores[i][j])
			}
		}
	}
	if len(t) == 0 {
		return 0, ErrNoKnown
	}
	return AveragePrecision(t, s), nil
}
