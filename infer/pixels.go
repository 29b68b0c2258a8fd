package infer

import (
	"fmt"
	"math"

	"mlabel/tensor"
)

// PixelLogit returns the logit above which a pixel's probability exceeds
// threshold.
func PixelLogit(threshold float64) float32 {
	return float32(math.Log(threshold / (1 - threshold)))
}

// checkPixels checks that logits is [N, H, W, L] and each threshold a
// probability strictly between 0 and 1, one per label.
func checkPixels(logits *tensor.Tensor, thresholds []float64) error {
	if logits == nil || len(logits.Shape) != 4 || len(logits.Data) != tensor.Size(logits.Shape) {
		return fmt.Errorf("infer: per-pixel logits must be [N, H, W, L]")
	}
	if len(thresholds) != logits.Shape[3] {
		return fmt.Errorf("infer: %d pixel thresholds for %d labels", len(thresholds), logits.Shape[3])
	}
	for _, t := range thresholds {
		if !(t > 0 && t < 1) {
			return fmt.Errorf("infer: pixel threshold %g is not within (0, 1)", t)
		}
	}
	return nil
}

// Same returns threshold for each of n labels.
func Same(threshold float64, n int) []float64 {
	out := make([]float64, n)
	for j := range out {
		out[j] = threshold
	}
	return out
}

// PixelLogits returns PixelLogit of each threshold.
func PixelLogits(thresholds []float64) []float32 {
	out := make([]float32, len(thresholds))
	for j, t := range thresholds {
		out[j] = PixelLogit(t)
	}
	return out
}

// AreaFractions returns, for each image of a batch of per-pixel logits
// ([N, H, W, L]) and each label, the fraction of the image's pixels whose
// probability exceeds threshold: the label's area fraction, the
// segmentation route's score.
func AreaFractions(logits *tensor.Tensor, threshold float64) ([][]float64, error) {
	if logits == nil || len(logits.Shape) != 4 {
		return nil, checkPixels(logits, nil)
	}
	return AreaFractionsAt(logits, Same(threshold, logits.Shape[3]))
}

// AreaFractionsAt is AreaFractions with one threshold per label.
func AreaFractionsAt(logits *tensor.Tensor, thresholds []float64) ([][]float64, error) {
	if err := checkPixels(logits, thresholds); err != nil {
		return nil, err
	}
	n, l := logits.Shape[0], logits.Shape[3]
	px := logits.Shape[1] * logits.Shape[2]
	t := PixelLogits(thresholds)
	out := make([][]float64, n)
	for i := range n {
		counts := make([]int, l)
		for k, v := range logits.Data[i*px*l : (i+1)*px*l] {
			if v > t[k%l] {
				counts[k%l]++
			}
		}
		out[i] = make([]float64, l)
		for j, c := range counts {
			out[i][j] = float64(c) / float64(px)
		}
	}
	return out, nil
}

// ClassMap returns image i's pixels (row by row) of a batch of per-pixel
// logits ([N, H, W, L]): 0 where no label's probability exceeds
// threshold, else 1 + the label of highest probability, the picture of a
// mask where labels overlap.
func ClassMap(logits *tensor.Tensor, i int, threshold float64) ([]uint8, error) {
	if logits == nil || len(logits.Shape) != 4 {
		return nil, checkPixels(logits, nil)
	}
	return ClassMapAt(logits, i, Same(threshold, logits.Shape[3]))
}

// ClassMapAt is ClassMap with one threshold per label: a pixel's class is
// 1 + the label of highest probability among those above their
// thresholds, 0 where none is.
func ClassMapAt(logits *tensor.Tensor, i int, thresholds []float64) ([]uint8, error) {
	if err := checkPixels(logits, thresholds); err != nil {
		return nil, err
	}
	if i < 0 || i >= logits.Shape[0] {
		return nil, fmt.Errorf("infer: image %d of a batch of %d", i, logits.Shape[0])
	}
	l := logits.Shape[3]
	if l > 254 {
		return nil, fmt.Errorf("infer: %d labels do not fit an 8-bit class map", l)
	}
	px := logits.Shape[1] * logits.Shape[2]
	t := PixelLogits(thresholds)
	out := make([]uint8, px)
	data := logits.Data[i*px*l : (i+1)*px*l]
	for p := range px {
		arg := -1
		for j, v := range data[p*l : (p+1)*l] {
			if v > t[j] && (arg < 0 || v > data[p*l+arg]) {
				arg = j
			}
		}
		out[p] = uint8(arg + 1)
	}
	return out, nil
}
