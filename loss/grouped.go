package loss

import (
	"fmt"
	"math"

	"mlabel/infer"
	"mlabel/tensor"
)

// Grouped trains groups of labels that exclude each other with a
// cross-entropy over each group and the base loss on every other label.
//
// It goes with a network whose output ends in nn's group_softmax: a group's
// columns are then the logits log p_i − log(1 − p_i) of its softmax
// probabilities p_i, and an image's term for the group is −log p_k for its
// one positive label k, or, in a group that allows none, −log(1 − Σ p_i)
// when it has no positive. An image whose group has an unknown label, or a
// number of positives the group does not allow, adds nothing for that
// group. Each group term counts as one element in the mean, beside the base
// loss's known elements.
type Grouped struct {
	Base   Loss
	Groups [][]int
	None   []bool // None[k]: group k may hold no label
}

// NewGrouped returns base with the given groups of mutually exclusive
// label columns trained by cross-entropy.
func NewGrouped(base Loss, groups [][]int, none []bool) (*Grouped, error) {
	if base == nil {
		return nil, fmt.Errorf("loss: grouped loss without a base loss")
	}
	if len(none) != len(groups) {
		return nil, fmt.Errorf("loss: %d none flags for %d label groups", len(none), len(groups))
	}
	seen := map[int]bool{}
	for _, g := range groups {
		if len(g) < 2 {
			return nil, fmt.Errorf("loss: label group %v needs two or more labels", g)
		}
		for _, j := range g {
			if j < 0 || seen[j] {
				return nil, fmt.Errorf("loss: label column %d is negative or in two groups", j)
			}
			seen[j] = true
		}
	}
	return &Grouped{Base: base, Groups: groups, None: none}, nil
}

// Name returns the base loss's name.
func (g *Grouped) Name() string { return g.Base.Name() }

// Compute implements Loss.
func (g *Grouped) Compute(logits, targets, mask, grad *tensor.Tensor) (float64, error) {
	if logits == nil || targets == nil || grad == nil || len(logits.Shape) != 2 {
		return 0, fmt.Errorf("loss grouped: need logits, targets and grad of shape [N, L]")
	}
	n, cols := logits.Shape[0], logits.Shape[1]
	for _, grp := range g.Groups {
		for _, j := range grp {
			if j >= cols {
				return 0, fmt.Errorf("loss grouped: label column %d of %d", j, cols)
			}
		}
	}
	if err := sameShape(logits, targets, "targets"); err != nil {
		return 0, fmt.Errorf("loss grouped: %w", err)
	}
	if mask != nil {
		if err := sameShape(logits, mask, "mask"); err != nil {
			return 0, fmt.Errorf("loss grouped: %w", err)
		}
	}
	known := func(i int) bool { return mask == nil || mask.Data[i] != 0 }
	// The base loss sees every known element outside the groups.
	baseMask := tensor.New(logits.Shape...)
	for i := range baseMask.Data {
		if known(i) {
			baseMask.Data[i] = 1
		}
	}
	for r := range n {
		for _, grp := range g.Groups {
			for _, j := range grp {
				baseMask.Data[r*cols+j] = 0
			}
		}
	}
	kb := 0
	for _, v := range baseMask.Data {
		if v != 0 {
			kb++
		}
	}
	baseMean, err := g.Base.Compute(logits, targets, baseMask, grad)
	if err != nil {
		return 0, err
	}
	// Group terms, with their gradients kept apart until the mean's
	// denominator is known.
	gg := make([]float64, len(logits.Data))
	sum, kg := 0.0, 0
	for r := range n {
		for k, grp := range g.Groups {
			pos, ok := -1, true
			for _, j := range grp {
				i := r*cols + j
				if !known(i) {
					ok = false
					break
				}
				if targets.Data[i] > 0.5 {
					if pos >= 0 {
						ok = false
						break
					}
					pos = i
				}
			}
			if !ok || (pos < 0 && !g.None[k]) {
				continue
			}
			kg++
			if pos >= 0 {
				x := float64(logits.Data[pos])
				sum += softplus(-x) // −log p_k
				gg[pos] = -infer.Sigmoid(-x)
				continue
			}
			rest := 1.0 // p(none) = 1 − Σ p_i
			for _, j := range grp {
				rest -= infer.Sigmoid(float64(logits.Data[r*cols+j]))
			}
			rest = max(rest, 1e-12)
			sum -= math.Log(rest)
			for _, j := range grp {
				x := float64(logits.Data[r*cols+j])
				gg[r*cols+j] = infer.Sigmoid(x) * infer.Sigmoid(-x) / rest
			}
		}
	}
	total := kb + kg
	if total == 0 {
		grad.Zero()
		return 0, nil
	}
	wb, wg := float64(kb)/float64(total), 1/float64(total)
	for i := range grad.Data {
		grad.Data[i] = float32(float64(grad.Data[i])*wb + gg[i]*wg)
	}
	return baseMean*wb + sum*wg, nil
}
