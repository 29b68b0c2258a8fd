package train

import (
	"context"
	"fmt"
	"iter"
	"math"

	"mlabel/loader"
	"mlabel/loss"
	"mlabel/nn"
	"mlabel/optim"
	"mlabel/tensor"
)

// Source is what the training loop draws batches from: the image loader
// (*loader.Loader) or a frozen backbone's cached features
// (*transfer.Source).
type Source interface {
	// Len returns the number of batches in an epoch.
	Len() int
	// Batches returns an epoch's batches in order; the epoch number seeds
	// shuffling and augmentation. Iteration ends at the first error.
	Batches(ctx context.Context, epoch int) iter.Seq2[*loader.Batch, error]
}

// countedSource is a Source that reports each batch it yields.
type countedSource struct {
	Source
	report func(batch, batches int)
}

// counted returns src, reporting to report the start of each epoch, as
// batch 0, and each batch it yields, with the batches done and the batches
// of an epoch; src itself when report is nil.
func counted(src Source, report func(batch, batches int)) Source {
	if report == nil {
		return src
	}
	return countedSource{src, report}
}

// Batches yields the batches of src, reporting the start and each batch
// after its consumer returns.
func (c countedSource) Batches(ctx context.Context, epoch int) iter.Seq2[*loader.Batch, error] {
	return func(yield func(*loader.Batch, error) bool) {
		n, total := 0, c.Len()
		c.report(0, total)
		for b, err := range c.Source.Batches(ctx, epoch) {
			if !yield(b, err) || err != nil {
				return
			}
			n++
			c.report(n, total)
		}
	}
}

// Step is one optimisation step of a model on a batch: a forward pass in
// training mode, the loss, the backward pass, gradient clipping and each
// optimizer's update. It keeps the logits' gradient buffer from one call to
// the next. Every training loop of the module (epochs, the learning-rate
// finder, stacking, the engine benchmark) steps through it.
type Step struct {
	Model      *nn.Model
	Loss       loss.Loss
	Optimizers []optim.Optimizer
	// LRMult scales each optimizer's learning rate; nil scales none.
	LRMult []float64
	// ClipNorm, when positive, clips the gradients' global norm to it.
	ClipNorm float64
	grad     *tensor.Tensor
}

// DivergedError is the error of a step whose loss is not finite; the
// parameters are left as they were.
type DivergedError struct{ Loss float64 }

// Error implements error.
func (e *DivergedError) Error() string {
	return fmt.Sprintf("loss is %v (lower the learning rate)", e.Loss)
}

// Run takes one step on the batch x, y, mask (mask may be nil: every label
// known) at learning rate lr and returns the batch loss. A loss that is not
// finite is returned with a *DivergedError, before any update.
func (s *Step) Run(x, y, mask *tensor.Tensor, lr float64) (float64, error) {
	m := s.Model
	logits, err := m.Forward(x, true)
	if err != nil {
		return 0, err
	}
	s.grad = tensor.Ensure(s.grad, logits.Shape...)
	v, err := s.Loss.Compute(logits, y, mask, s.grad)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v, &DivergedError{Loss: v}
	}
	m.ZeroGrad()
	if err := m.Backward(s.grad); err != nil {
		return 0, err
	}
	if s.ClipNorm > 0 {
		optim.ClipGradNorm(m.Params(), s.ClipNorm)
	}
	for i, o := range s.Optimizers {
		mult := 1.0
		if s.LRMult != nil {
			mult = s.LRMult[i]
		}
		if err := o.Step(lr * mult); err != nil {
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
