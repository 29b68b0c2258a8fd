package train

import (
	"fmt"
	"math"

	"mlabel/loss"
	"mlabel/nn"
	"mlabel/optim"
	"mlabel/tensor"
)

// optimStep runs one optimisation step of m on a batch: a forward pass in
// training mode, the loss, the backward pass, gradient clipping at clip (when
// positive) and each optimizer's step at lr × lrMult[i]. grad holds the
// logits' gradient buffer across steps. It returns the batch loss.
func optimStep(m *nn.Model, x, y, mask *tensor.Tensor, lossFn loss.Loss, grad **tensor.Tensor, clip float64, opts []optim.Optimizer, lrMult []float64, lr float64) (float64, error) {
	logits, err := m.Forward(x, true)
	if err != nil {
		return 0, err
	}
	*grad = tensor.Ensure(*grad, logits.Shape...)
	v, err := lossFn.Compute(logits, y, mask, *grad)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("loss is %v (lower the learning rate)", v)
	}
	m.ZeroGrad()
	if err := m.Backward(*grad); err != nil {
		return 0, err
	}
	if clip > 0 {
		optim.ClipGradNorm(m.Params(), clip)
	}
	for i, o := range opts {
		if err := o.Step(lr * lrMult[i]); err != nil {
			return 0, err
		}
	}
	return v, nil
}

// record notes epoch's validation mAP and reports whether it is the best so
// far.
func (s *ckptState) record(epoch int, mAP float64) bool {
	s.Epoch = epoch
	if s.BestEpoch == 0 || mAP > s.BestMAP {
		s.BestEpoch, s.BestMAP, s.BadEpochs = epoch, mAP, 0
		return true
	}
	s.BadEpochs++
	return false
}
