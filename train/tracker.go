package train

import (
	"math"
	"time"

	"mlabel/bundle"
	"mlabel/infer"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/tensor"
)

// tracker follows a run's epochs: the history, the best epoch's weights and
// the progress recorded in checkpoints.
type tracker struct {
	state   ckptState
	best    map[string]*tensor.Tensor
	history []bundle.Epoch
	hooks   Hooks
}

// endEpoch scores the epoch's validation predictions, records the epoch,
// keeps m's weights when the epoch is the best so far, and reports it.
//
// On the segmentation route (iou not nil) the best epoch is the one with
// the best mean pixel IoU, and F2 calls a label present from an area of
// QuickAreaThreshold; otherwise the best epoch has the best mAP and F2 is
// at a 0.5 threshold.
func (t *tracker) endEpoch(m *nn.Model, val *infer.Set, iou *metrics.IoU, epoch int, trainLoss, lr float64, start time.Time) error {
	threshold := 0.5
	if iou != nil {
		threshold = QuickAreaThreshold
	}
	mAP, f2, err := quickAt(val, threshold)
	if err != nil {
		return err
	}
	e := bundle.Epoch{Epoch: epoch, TrainLoss: trainLoss, ValLoss: val.Loss, ValMAP: mAP, ValF2: f2, LR: lr, Seconds: time.Since(start).Seconds()}
	score := mAP
	if iou != nil {
		if e.ValMIoU = iou.Mean(); math.IsNaN(e.ValMIoU) {
			e.ValMIoU = 0
		}
		score = e.ValMIoU
	}
	t.history = append(t.history, e)
	isBest := t.state.record(epoch, score)
	if isBest {
		t.best = cloneWeights(m.Weights())
	}
	if t.hooks.EpochEnd != nil {
		t.hooks.EpochEnd(e, isBest)
	}
	return nil
}

// endEpochUnvalidated records an epoch of a run without a validation set
// (marked Unvalidated, with zero validation figures); it counts as the best
// so far, since the last epoch is what such a run keeps.
func (t *tracker) endEpochUnvalidated(epoch int, trainLoss, lr float64, start time.Time) {
	e := bundle.Epoch{Epoch: epoch, TrainLoss: trainLoss, Unvalidated: true, LR: lr, Seconds: time.Since(start).Seconds()}
	t.history = append(t.history, e)
	t.state.Epoch = epoch
	if t.hooks.EpochEnd != nil {
		t.hooks.EpochEnd(e, true)
	}
}
