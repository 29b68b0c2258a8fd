package loss

import (
	"fmt"

	"mlabel/infer"
	"mlabel/tensor"
)

// BCE is binary cross-entropy on logits with an optional per-label positive
// weight, as PyTorch's BCEWithLogitsLoss:
//
//	l = -[p_j·y·log σ(x) + (1-y)·log(1-σ(x))]
//
// computed as p_j·y·softplus(-x) + (1-y)·softplus(x) for stability.
type BCE struct {
	// PosWeight holds one weight per label for the positive term; nil
	// means 1 for every label.
	PosWeight []float32
}

// NewBCE returns a BCE loss; posWeight may be nil.
func NewBCE(posWeight []float32) *BCE {
	return &BCE{PosWeight: posWeight}
}

// Name returns "bce".
func (b *BCE) Name() string { return "bce" }

// Compute implements Loss.
func (b *BCE) Compute(logits, targets, mask, grad *tensor.Tensor) (float64, error) {
	if b.PosWeight != nil && logits != nil && len(logits.Shape) == 2 && len(b.PosWeight) != logits.Shape[1] {
		return 0, fmt.Errorf("loss bce: %d pos_weight values for %d labels", len(b.PosWeight), logits.Shape[1])
	}
	return reduce(b.Name(), logits, targets, mask, grad, func(x, y float64, j int) (float64, float64) {
		pw := 1.0
		if b.PosWeight != nil {
			pw = float64(b.PosWeight[j])
		}
		l := pw*y*softplus(-x) + (1-y)*softplus(x)
		dl := -pw*y*infer.Sigmoid(-x) + (1-y)*infer.Sigmoid(x)
		return l, dl
	})
}
