package metrics

import (
	"fmt"
	"math"

	"mlabel/tensor"
)

// IoU accumulates, per label, the pixel counts of a segmentation: true
// positives, false positives and false negatives over the known pixels.
type IoU struct {
	TP, FP, FN []int64
	// Thresholds, when known, are the labels' pixel thresholds the counts
	// were made at.
	Thresholds []float64
}

// NewIoU returns empty counts for labels labels.
func NewIoU(labels int) *IoU {
	return &IoU{TP: make([]int64, labels), FP: make([]int64, labels), FN: make([]int64, labels)}
}

// AddLogits counts a batch: logits, truth and mask are [N, H, W, L]; a
// pixel is predicted positive when its probability exceeds threshold, and
// counts only where mask is non-zero (mask may be nil: every pixel known).
func (u *IoU) AddLogits(logits, truth, mask *tensor.Tensor, threshold float64) error {
	t := make([]float64, len(u.TP))
	for j := range t {
		t[j] = threshold
	}
	return u.AddLogitsAt(logits, truth, mask, t)
}

// AddLogitsAt is AddLogits with one threshold per label.
func (u *IoU) AddLogitsAt(logits, truth, mask *tensor.Tensor, thresholds []float64) error {
	if logits == nil || truth == nil || len(logits.Shape) != 4 || !tensor.SameShape(logits.Shape, truth.Shape) ||
		mask != nil && !tensor.SameShape(logits.Shape, mask.Shape) {
		return fmt.Errorf("metrics: IoU needs logits, truth and mask of one [N, H, W, L] shape")
	}
	l := logits.Shape[3]
	if l != len(u.TP) || len(thresholds) != l {
		return fmt.Errorf("metrics: IoU over %d labels with %d thresholds, logits have %d", len(u.TP), len(thresholds), l)
	}
	t := make([]float32, l)
	for j, th := range thresholds {
		if !(th > 0 && th < 1) {
			return fmt.Errorf("metrics: pixel threshold %g is not within (0, 1)", th)
		}
		t[j] = float32(math.Log(th / (1 - th)))
	}
	for i, v := range logits.Data {
		if mask != nil && mask.Data[i] == 0 {
			continue
		}
		j := i % l
		u.AddN(j, v > t[j], truth.Data[i] == 1, 1)
	}
	return nil
}

// AddN counts n known pixels of label j, predicted positive or not and
// positive in the truth or not: a network pixel that stands for n pixels
// of the image.
func (u *IoU) AddN(j int, predicted, positive bool, n int64) {
	switch {
	case predicted && positive:
		u.TP[j] += n
	case predicted:
		u.FP[j] += n
	case positive:
		u.FN[j] += n
	}
}

// PerLabel returns each label's intersection over union, TP / (TP + FP +
// FN), NaN for a label neither predicted nor present on any known pixel.
func (u *IoU) PerLabel() []float64 {
	out := make([]float64, len(u.TP))
	for j := range out {
		d := u.TP[j] + u.FP[j] + u.FN[j]
		if d == 0 {
			out[j] = math.NaN()
		} else {
			out[j] = float64(u.TP[j]) / float64(d)
		}
	}
	return out
}

// Mean returns the mean IoU over the labels where it is defined (mIoU),
// and NaN when it is defined for none.
func (u *IoU) Mean() float64 {
	var sum float64
	n := 0
	for _, v := range u.PerLabel() {
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}
