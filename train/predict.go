package train

import (
	"context"
	"fmt"

	"mlabel/infer"
	"mlabel/loss"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/tensor"
)

// Predict runs m in evaluation mode over every batch of src, in order, and
// returns the scored set with the truth and mask the dataset gives (all zero
// and all unknown for unlabelled images). When lossFn is not nil it also
// computes the mean loss.
func Predict(ctx context.Context, m *nn.Model, src Source, lossFn loss.Loss) (*infer.Set, error) {
	out := &infer.Set{}
	var grad *tensor.Tensor
	var lossSum float64
	var batches int
	for b, err := range src.Batches(ctx, 0) {
		if err != nil {
			return nil, fmt.Errorf("train: predict: %w", err)
		}
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
		if err := out.AppendLogits(b.Names, logits, b.Y, b.Mask); err != nil {
			return nil, fmt.Errorf("train: predict: %w", err)
		}
	}
	if batches > 0 {
		out.Loss = lossSum / float64(batches)
	}
	return out, nil
}

// quick returns the validation figures reported after every epoch: macro mAP
// over labels with a known positive, and samples F2 at a 0.5 threshold.
func quick(o *infer.Set) (mAP, f2 float64, err error) {
	return quickAt(o, 0.5)
}

// QuickAreaThreshold is the area fraction at which the segmentation
// route's per-epoch F2 calls a label present.
const QuickAreaThreshold = 0.01

// quickAt is quick with samples F2 at the given score threshold.
func quickAt(o *infer.Set, threshold float64) (mAP, f2 float64, err error) {
	ap, err := metrics.PerLabelAP(o.Truth, o.Scores, o.Mask)
	if err != nil {
		return 0, 0, fmt.Errorf("train: validation mAP: %w", err)
	}
	mAP, err = metrics.MeanDefined(ap)
	if err != nil {
		mAP = 0
	}
	pred, err := metrics.Binarize(o.Scores, []float64{threshold})
	if err != nil {
		return 0, 0, fmt.Errorf("train: validation F2: %w", err)
	}
	prf, err := metrics.ScorePRF(o.Truth, pred, o.Mask, metrics.Samples, metrics.Options{Beta: 2})
	if err != nil {
		return 0, 0, fmt.Errorf("train: validation F2: %w", err)
	}
	return mAP, prf.F, nil
}
