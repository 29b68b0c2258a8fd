package metrics

import (
	"fmt"
	"math"
	"sort"

	"mlabel/tensor"
)

// PixelBins is how finely a pixel threshold is fitted: the candidates
// are k/PixelBins for k in 1..PixelBins-1.
const PixelBins = 50

// pixelEdges[k-1] is the logit of k/PixelBins, as float32: a pixel lies
// above candidate k exactly when its logit exceeds pixelEdges[k-1], the
// comparison IoU.AddLogits makes.
var pixelEdges = func() []float32 {
	e := make([]float32, PixelBins-1)
	for k := range e {
		p := float64(k+1) / PixelBins
		e[k] = float32(math.Log(p / (1 - p)))
	}
	return e
}()

// PixelBin returns the bin of a pixel's logit v: how many candidate
// thresholds its probability exceeds, 0..PixelBins-1.
func PixelBin(v float32) int {
	return sort.Search(len(pixelEdges), func(k int) bool { return pixelEdges[k] >= v })
}

// PixelHist counts the known pixels of a segmentation per label and
// probability bin (see PixelBin), the positive and the negative ones
// apart: enough to give each label's pixel IoU at every candidate
// threshold, and to fit the threshold.
type PixelHist struct {
	// Pos[j][b] and Neg[j][b] count label j's positive and negative known
	// pixels in bin b.
	Pos, Neg [][]int64
}

// NewPixelHist returns empty counts for labels labels.
func NewPixelHist(labels int) *PixelHist {
	h := &PixelHist{Pos: make([][]int64, labels), Neg: make([][]int64, labels)}
	for j := range labels {
		h.Pos[j], h.Neg[j] = make([]int64, PixelBins), make([]int64, PixelBins)
	}
	return h
}

// AddBin counts one known pixel of label j in bin b.
func (h *PixelHist) AddBin(j, b int, positive bool) {
	h.AddBinN(j, b, positive, 1)
}

// AddBinN counts n known pixels of label j in bin b: a network pixel
// that stands for n pixels of the image.
func (h *PixelHist) AddBinN(j, b int, positive bool, n int64) {
	if positive {
		h.Pos[j][b] += n
	} else {
		h.Neg[j][b] += n
	}
}

// AddLogits counts a batch: logits, truth and mask are [N, H, W, L], and
// a pixel counts only where mask is non-zero (mask may be nil).
func (h *PixelHist) AddLogits(logits, truth, mask *tensor.Tensor) error {
	if logits == nil || truth == nil || len(logits.Shape) != 4 || !tensor.SameShape(logits.Shape, truth.Shape) ||
		mask != nil && !tensor.SameShape(logits.Shape, mask.Shape) {
		return fmt.Errorf("metrics: pixel counts need logits, truth and mask of one [N, H, W, L] shape")
	}
	l := logits.Shape[3]
	if l != len(h.Pos) {
		return fmt.Errorf("metrics: pixel counts over %d labels, logits have %d", len(h.Pos), l)
	}
	for i, v := range logits.Data {
		if mask != nil && mask.Data[i] == 0 {
			continue
		}
		h.AddBin(i%l, PixelBin(v), truth.Data[i] == 1)
	}
	return nil
}

// At returns the counts at candidate k (a pixel is predicted positive
// when its probability exceeds k/PixelBins), for thresholds[j] =
// k[j]/PixelBins.
func (h *PixelHist) At(k []int) *IoU {
	u := NewIoU(len(h.Pos))
	u.Thresholds = Thresholds(k)
	for j := range h.Pos {
		for b := range PixelBins {
			if b >= k[j] {
				u.TP[j] += h.Pos[j][b]
				u.FP[j] += h.Neg[j][b]
			} else {
				u.FN[j] += h.Pos[j][b]
			}
		}
	}
	return u
}

// Fit returns, per label, the candidate threshold (as its index k, the
// threshold k/PixelBins) of highest pixel IoU; among equals, the one
// nearest 0.5. A label with no positive pixel keeps 0.5.
func (h *PixelHist) Fit() []int {
	out := make([]int, len(h.Pos))
	for j := range h.Pos {
		out[j] = PixelBins / 2
		var tp, fp, fn int64
		for b := range PixelBins {
			tp += h.Pos[j][b]
		}
		if tp == 0 {
			continue
		}
		// Candidate k counts bins b ≥ k as predicted: going from k-1 to k
		// moves bin k-1 from predicted to not predicted.
		for b := range PixelBins {
			fp += h.Neg[j][b]
		}
		best := -1.0
		for k := 1; k < PixelBins; k++ {
			tp -= h.Pos[j][k-1]
			fn += h.Pos[j][k-1]
			fp -= h.Neg[j][k-1]
			iou := float64(tp) / float64(tp+fp+fn)
			if iou > best || iou == best && abs(k-PixelBins/2) < abs(out[j]-PixelBins/2) {
				best, out[j] = iou, k
			}
		}
	}
	return out
}

// Thresholds returns the probabilities of candidates k: k/PixelBins.
func Thresholds(k []int) []float64 {
	out := make([]float64, len(k))
	for j, v := range k {
		out[j] = float64(v) / PixelBins
	}
	return out
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
