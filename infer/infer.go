package infer

import (
	"fmt"
	"math"

	"mlabel/tensor"
)

// Sigmoid is the logistic function 1 / (1 + exp(-x)), computed without
// overflow for large |x|.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Probabilities returns the sigmoid of a batch of logits shaped [N, ..., L]
// as N rows of L probabilities.
func Probabilities(logits *tensor.Tensor) ([][]float64, error) {
	if len(logits.Shape) < 2 {
		return nil, fmt.Errorf("infer: logits of shape %v, want [images, ..., labels]", logits.Shape)
	}
	n := logits.Shape[0]
	if n == 0 || len(logits.Data)%n != 0 {
		return nil, fmt.Errorf("infer: logits of shape %v hold %d values", logits.Shape, len(logits.Data))
	}
	l := len(logits.Data) / n
	out := make([][]float64, n)
	for i := range out {
		row := make([]float64, l)
		for j := range row {
			row[j] = Sigmoid(float64(logits.Data[i*l+j]))
		}
		out[i] = row
	}
	return out, nil
}

// MaxPool returns, for each label, the largest of rows' scores ([row][label]):
// the score of an image made of parts (tiles) when a label is present if
// it is present in any part, as in hypotheses-CNN-pooling. It returns nil
// for no rows.
func MaxPool(rows [][]float64) []float64 {
	if len(rows) == 0 {
		return nil
	}
	out := append([]float64(nil), rows[0]...)
	for _, r := range rows[1:] {
		for j := range out {
			out[j] = max(out[j], r[j])
		}
	}
	return out
}
