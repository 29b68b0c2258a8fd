package loss

import (
	"fmt"

	"mlabel/infer"
	"mlabel/tensor"
)

// diceSmooth is the smoothing term of the Dice loss, which keeps a label
// with no positive pixel and no prediction at a loss of 0.
const diceSmooth = 1

// Pixels is a segmentation loss: logits, targets and mask are [N, H, W, L],
// one element per pixel and label. Inner treats every pixel as a sample,
// so that an unknown (masked) pixel counts nowhere, and DiceWeight, when
// positive, adds that many times the soft Dice loss
//
//	1 - (2·Σ p·y + 1) / (Σ p + Σ y + 1),   p = σ(x),
//
// summed over the batch's known pixels of each label and averaged over
// the labels that have a known pixel.
type Pixels struct {
	Inner      Loss
	DiceWeight float64
}

// Name returns the inner loss's name.
func (p *Pixels) Name() string { return p.Inner.Name() }

// Compute implements Loss for [N, H, W, L] tensors.
func (p *Pixels) Compute(logits, targets, mask, grad *tensor.Tensor) (float64, error) {
	if logits == nil || targets == nil || grad == nil {
		return 0, fmt.Errorf("loss %s per pixel: logits, targets and grad must not be nil", p.Name())
	}
	if len(logits.Shape) != 4 {
		return 0, fmt.Errorf("loss %s per pixel: logits must be [N, H, W, L], got shape %v", p.Name(), logits.Shape)
	}
	for what, t := range map[string]*tensor.Tensor{"targets": targets, "grad": grad, "mask": mask} {
		if t != nil {
			if err := sameShape(logits, t, what); err != nil {
				return 0, fmt.Errorf("loss %s per pixel: %w", p.Name(), err)
			}
		}
	}
	l := logits.Shape[3]
	rows := logits.Len() / l
	flat := func(t *tensor.Tensor) *tensor.Tensor {
		if t == nil {
			return nil
		}
		return &tensor.Tensor{Shape: []int{rows, l}, Data: t.Data}
	}
	v, err := p.Inner.Compute(flat(logits), flat(targets), flat(mask), flat(grad))
	if err != nil || p.DiceWeight <= 0 {
		return v, err
	}
	return v + p.DiceWeight*addDice(logits.Data, targets.Data, maskData(mask), grad.Data, l, p.DiceWeight), nil
}

func maskData(m *tensor.Tensor) []float32 {
	if m == nil {
		return nil
	}
	return m.Data
}

// addDice returns the mean soft Dice loss over labels of x, y (mask may be
// nil) with l labels per pixel, and adds weight times its gradient to
// grad.
func addDice(x, y, mask, grad []float32, l int, weight float64) float64 {
	inter := make([]float64, l)
	sum := make([]float64, l)
	known := make([]bool, l)
	for i, v := range x {
		if mask != nil && mask[i] == 0 {
			continue
		}
		j := i % l
		pr := infer.Sigmoid(float64(v))
		inter[j] += pr * float64(y[i])
		sum[j] += pr + float64(y[i])
		known[j] = true
	}
	labels := 0
	for _, k := range known {
		if k {
			labels++
		}
	}
	if labels == 0 {
		return 0
	}
	var loss float64
	for j := range l {
		if known[j] {
			loss += 1 - (2*inter[j]+diceSmooth)/(sum[j]+diceSmooth)
		}
	}
	scale := weight / float64(labels)
	for i, v := range x {
		if mask != nil && mask[i] == 0 {
			continue
		}
		j := i % l
		pr := infer.Sigmoid(float64(v))
		d := sum[j] + diceSmooth
		// d/dp of -(2I+s)/(S+s), then dp/dx = p(1-p).
		dp := -(2*float64(y[i])*d - (2*inter[j] + diceSmooth)) / (d * d)
		grad[i] += float32(scale * dp * pr * (1 - pr))
	}
	return loss / float64(labels)
}
