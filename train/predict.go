package train

import (
	"context"
	"fmt"

	"mlabel/loader"
	"mlabel/loss"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/tensor"
)

// Outputs are a model's sigmoid scores on a dataset, with the truth and mask
// the dataset gives (all zero and all unknown for unlabelled images).
type Outputs struct {
	Names  []string    `json:"names"`
	Scores [][]float64 `json:"scores"`
	Truth  [][]float64 `json:"truth"`
	Mask   [][]bool    `json:"mask"`
	// Loss is the mean loss over known labels, when a loss was given.
	Loss float64 `json:"loss"`
}

// Predict runs m in evaluation mode over every batch of l, in order. When
// lossFn is not nil it also computes the mean loss.
func Predict(ctx context.Context, m *nn.Model, l *loader.Loader, lossFn loss.Loss) (*Outputs, error) {
	out := &Outputs{}
	it := l.Epoch(ctx, 0)
	defer it.Close()
	var grad *tensor.Tensor
	var lossSum float64
	var batches int
	for it.Next() {
		b := it.Batch()
		logits, err := m.Forward(b.X, false)
		if err != nil {
			return nil, fmt.Errorf("train: predict: %w", err)
		}
		if lossFn != nil {
			grad = tensor.Ensure(grad, logits.Shape...)
			v, err := lossFn.Compute(logits, b.Y, b.Mask, grad)
			if err != nil {
				return nil, fmt.Errorf("train: predict loss: %w", err)
			}
			lossSum += v * float64(len(b.Names))
			batches += len(b.Names)
		}
		appendBatch(out, b.Names, logits, b.Y, b.Mask)
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("train: predict: %w", err)
	}
	if batches > 0 {
		out.Loss = lossSum / float64(batches)
	}
	return out, nil
}

// appendBatch converts a batch of logits to sigmoid scores and appends them
// with their truth and mask to out.
func appendBatch(out *Outputs, names []string, logits, y, mask *tensor.Tensor) {
	n, l := logits.Shape[0], logits.Shape[1]
	for i := 0; i < n; i++ {
		s := make([]float64, l)
		t := make([]float64, l)
		mk := make([]bool, l)
		for j := 0; j < l; j++ {
			s[j] = Sigmoid(float64(logits.Data[i*l+j]))
			t[j] = float64(y.Data[i*l+j])
			mk[j] = mask.Data[i*l+j] != 0
		}
		out.Names = append(out.Names, names[i])
		out.Scores = append(out.Scores, s)
		out.Truth = append(out.Truth, t)
		out.Mask = append(out.Mask, mk)
	}
}

// Quick returns the validation figures reported after every epoch: macro mAP
// over labels with a known positive, and samples F2 at a 0.5 threshold.
func (o *Outputs) Quick() (mAP, f2 float64, err error) {
	ap, err := metrics.PerLabelAP(o.Truth, o.Scores, o.Mask)
	if err != nil {
		return 0, 0, fmt.Errorf("train: validation mAP: %w", err)
	}
	mAP, err = metrics.MeanDefined(ap)
	if err != nil {
		mAP = 0
	}
	pred, err := metrics.Binarize(o.Scores, []float64{0.5})
	if err != nil {
		return 0, 0, fmt.Errorf("train: validation F2: %w", err)
	}
	prf, err := metrics.ScorePRF(o.Truth, pred, o.Mask, metrics.Samples, metrics.Options{Beta: 2})
	if err != nil {
		return 0, 0, fmt.Errorf("train: validation F2: %w", err)
	}
	return mAP, prf.F, nil
}

// Sigmoid is the logistic function, computed stably for large |x|.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + exp(-x))
	}
	e := exp(x)
	return e / (1 + e)
}
