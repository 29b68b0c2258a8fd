// Package loss holds mlabel's multi-label training losses.
//
// Every loss treats each (sample, label) pair as an independent binary
// problem on a logit: one sigmoid per label, never a softmax. Inputs are
// logits and targets of shape [N, L] and an optional mask of the same shape
// in which 1 marks a known label and 0 an unknown one. Unknown elements count
// nowhere: neither in the sum nor in the denominator of the mean. The value
// returned is the mean loss over known elements, and the gradient written is
// the gradient of that mean with respect to the logits.
package loss

import (
	"fmt"
	"math"

	"mlabel/tensor"
)

// Loss is a multi-label loss on logits.
type Loss interface {
	// Name returns the name ByName accepts for this loss.
	Name() string
	// Compute returns the mean loss over the known elements of logits and
	// targets (shape [N, L]) and writes its gradient with respect to the
	// logits into grad (same shape). mask may be nil (every element known);
	// otherwise it has shape [N, L] and 0 marks unknown elements, whose
	// gradient is 0. With no known element the loss and gradient are 0.
	Compute(logits, targets, mask, grad *tensor.Tensor) (float64, error)
}

// elemFunc returns the loss of one element with logit x, target y and label
// index j, and its derivative with respect to x.
type elemFunc func(x, y float64, j int) (l, dl float64)

// reduce validates the shapes and computes the masked mean of f and its
// gradient. It is the common driver of every loss in this package.
func reduce(name string, logits, targets, mask, grad *tensor.Tensor, f elemFunc) (float64, error) {
	if logits == nil || targets == nil || grad == nil {
		return 0, fmt.Errorf("loss %s: logits, targets and grad must not be nil", name)
	}
	if len(logits.Shape) != 2 {
		return 0, fmt.Errorf("loss %s: logits must be [N, L], got shape %v", name, logits.Shape)
	}
	if err := sameShape(logits, targets, "targets"); err != nil {
		return 0, fmt.Errorf("loss %s: %w", name, err)
	}
	if err := sameShape(logits, grad, "grad"); err != nil {
		return 0, fmt.Errorf("loss %s: %w", name, err)
	}
	if mask != nil {
		if err := sameShape(logits, mask, "mask"); err != nil {
			return 0, fmt.Errorf("loss %s: %w", name, err)
		}
	}
	labels := logits.Shape[1]
	known := 0
	for i := range logits.Data {
		if mask == nil || mask.Data[i] != 0 {
			known++
		}
	}
	grad.Zero()
	if known == 0 {
		return 0, nil
	}
	inv := 1 / float64(known)
	sum := 0.0
	for i, x := range logits.Data {
		if mask != nil && mask.Data[i] == 0 {
			continue
		}
		l, dl := f(float64(x), float64(targets.Data[i]), i%labels)
		sum += l
		grad.Data[i] = float32(dl * inv)
	}
	return sum * inv, nil
}

func sameShape(ref, t *tensor.Tensor, what string) error {
	if !tensor.SameShape(ref.Shape, t.Shape) {
		return fmt.Errorf("%s shape %v differs from logits shape %v", what, t.Shape, ref.Shape)
	}
	if len(t.Data) != len(ref.Data) {
		return fmt.Errorf("%s has %d values for shape %v", what, len(t.Data), t.Shape)
	}
	return nil
}

// softplus returns log(1 + exp(x)) without overflow.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}
