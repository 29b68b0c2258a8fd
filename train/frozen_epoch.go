package train

import (
	"context"
	"fmt"
	"time"

	"mlabel/infer"
	"mlabel/nn"
	"mlabel/optim"
	"mlabel/tensor"
)

// epoch trains the head for one pass over the training images, each seen
// through one of its cached views drawn at random, and validates when there
// are validation features.
func (h *headRun) epoch(ctx context.Context, epoch int) error {
	start := time.Now()
	n, batch := h.tr.Len(), h.cfg.Batch
	steps := max(1, n/batch)
	if n <= batch {
		batch = n
	}
	total := steps * h.cfg.Epochs
	if h.hooks.EpochStart != nil {
		h.hooks.EpochStart(epoch, h.cfg.Epochs, steps)
	}
	order := h.rng.Perm(n)
	views := make([]int, batch)
	var grad *tensor.Tensor
	var sum, lr float64
	for s := range steps {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("train: epoch %d: %w", epoch, err)
		}
		for j := range views {
			views[j] = h.rng.IntN(len(h.tr.Views))
		}
		var err error
		h.x, h.y, h.mk, err = h.tr.Batch(order[s*batch:(s+1)*batch], views, h.x, h.y, h.mk)
		if err != nil {
			return fmt.Errorf("train: epoch %d: %w", epoch, err)
		}
		lr = h.sched.LR((epoch-1)*steps+s, total)
		setMomentum(h.sched, []optim.Optimizer{h.opt}, (epoch-1)*steps+s, total)
		v, err := optimStep(h.model, h.x, h.y, h.mk, h.lossFn, &grad, h.cfg.ClipNorm, []optim.Optimizer{h.opt}, []float64{1}, lr)
		if err != nil {
			return fmt.Errorf("train: epoch %d step %d: %w", epoch, s+1, err)
		}
		sum += v
		if h.hooks.Step != nil {
			h.hooks.Step(s+1, v)
		}
	}
	if h.va == nil {
		h.endEpochUnvalidated(epoch, sum/float64(steps), lr, start)
		return nil
	}
	return h.validate(epoch, sum/float64(steps), lr, start)
}

// validate scores the head on the validation features and records the
// epoch.
func (h *headRun) validate(epoch int, trainLoss, lr float64, start time.Time) error {
	val, err := h.predict()
	if err != nil {
		return err
	}
	return h.endEpoch(h.model, val, epoch, trainLoss, lr, start)
}

// predict runs the head in evaluation mode over the validation features.
func (h *headRun) predict() (*infer.Set, error) {
	out := &infer.Set{}
	n := h.va.Len()
	var x, y, mk, grad *tensor.Tensor
	var lossSum float64
	for lo := 0; lo < n; lo += h.cfg.Batch {
		hi := min(n, lo+h.cfg.Batch)
		idx := make([]int, hi-lo)
		for j := range idx {
			idx[j] = lo + j
		}
		var err error
		if x, y, mk, err = h.va.Batch(idx, make([]int, len(idx)), x, y, mk); err != nil {
			return nil, fmt.Errorf("train: validate: %w", err)
		}
		logits, err := h.model.Forward(x, false)
		if err != nil {
			return nil, fmt.Errorf("train: validate: %w", err)
		}
		grad = tensor.Ensure(grad, logits.Shape...)
		v, err := h.lossFn.Compute(logits, y, mk, grad)
		if err != nil {
			return nil, fmt.Errorf("train: validate loss: %w", err)
		}
		lossSum += v * float64(len(idx))
		if err := out.AppendLogits(h.va.Names[lo:hi], logits, y, mk); err != nil {
			return nil, fmt.Errorf("train: validate: %w", err)
		}
	}
	out.Loss = lossSum / float64(max(n, 1))
	return out, nil
}

// finish puts the best epoch's head on the backbone and returns the
// classifier.
func (h *headRun) finish(full *nn.Model, spec *nn.Spec) (*Result, error) {
	if err := h.model.SetWeights(h.best); err != nil {
		return nil, fmt.Errorf("train: restore best head: %w", err)
	}
	val, err := h.predict()
	if err != nil {
		return nil, err
	}
	if _, err := full.SetWeightsPartial(h.best); err != nil {
		return nil, fmt.Errorf("train: put the head on the backbone: %w", err)
	}
	return &Result{Model: full, Spec: spec, BestEpoch: h.state.BestEpoch, History: h.history, Val: val}, nil
}
