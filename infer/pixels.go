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

// checkPixels checks that logits is [N, H, W, L] and threshold a
// probability strictly between 0 and 1.
func checkPixels(logits *tensor.Tensor, threshold float64) error {
	if logits == nil || len(logits.Shape) != 4 || len(logits.Data) != tensor.Size(logits.Shape) {
		return fmt.Errorf("infer: per-pixel logits must be [N, H, W, L]")
	}
	if !(threshold > 0 && threshold < 1) {
		return fmt.Errorf("infer: pixel threshold %g is not within (0, 1)", threshold)
	}
	return nil
}

// AreaFractions returns, for each image of a batch of per-pixel logits
// ([N, H, W, L]) and each label, the fraction of the image's pixels whose
// probability exceeds threshold: the label's area fraction, the
// segmentation route's score.
func AreaFractions(logits *tensor.Tensor, threshold float64) ([][]float64, error) {
	if err := checkPixels(logits, threshold); err != nil {
		return nil, err
	}
	n, l := logits.Shape[0], logits.Shape[3]
	px := logits.Shape[1] * logits.Shape[2]
	t := PixelLogit(threshold)
	out := make([][]float64, n)
	for i := range n {
		counts := make([]int, l)
		for k, v := range logits.Data[i*px*l : (i+1)*px*l] {
			if v > t {
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
	if err := checkPixels(logits, threshold); err != nil {
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
	t := PixelLogit(threshold)
	out := make([]uint8, px)
	data := logits.Data[i*px*l : (i+1)*px*l]
	for p := range px {
		best, arg := t, -1
		for j, v := range data[p*l : (p+1)*l] {
			if v > best {
				best, arg = v, j
			}
		}
		out[p] = uint8(arg + 1)
	}
	return out, nil
}
