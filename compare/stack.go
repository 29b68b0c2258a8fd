package compare

import (
	"context"
	"fmt"
	"math/rand/v2"

	"mlabel/decide"
	"mlabel/infer"
	"mlabel/loader"
	"mlabel/loss"
	"mlabel/nn"
	"mlabel/optim"
	"mlabel/tensor"
	"mlabel/train"
)

// Stacker training: full-batch AdamW on the masked BCE of the validation
// predictions, from an average of each label's two logits.
const (
	stackSteps = 300
	stackLR    = 0.01
	stackDecay = 1e-3
)

// rawOutputs runs m over every batch of l and returns the first output's
// rows, as they come out of the graph.
func rawOutputs(ctx context.Context, m *nn.Model, l *loader.Loader) ([][]float32, error) {
	it := l.Epoch(ctx, 0)
	defer it.Close()
	var rows [][]float32
	for it.Next() {
		y, err := m.Forward(it.Batch().X, false)
		if err != nil {
			return nil, fmt.Errorf("compare: forward: %w", err)
		}
		w := y.Shape[len(y.Shape)-1]
		for i := 0; i < y.Shape[0]; i++ {
			rows = append(rows, append([]float32(nil), y.Data[i*w:(i+1)*w]...))
		}
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("compare: forward: %w", err)
	}
	return rows, nil
}

// stackSpec is the stacker alone: a dense layer from the 2L concatenated
// logits (joint first, then the specialists) to L logits.
func stackSpec(labels int) *nn.Spec {
	return &nn.Spec{
		Nodes: []nn.Node{
			{Name: inputNode, Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{1, 1, 2 * labels}}},
			{Name: stackNode, Op: nn.OpDense, Inputs: []string{inputNode}, Attrs: nn.Attrs{Units: labels, Bias: true}},
		},
		Outputs: []string{stackNode},
	}
}

// rowsTensor gathers the given rows of x into a [n, 1, 1, F] tensor.
func rowsTensor(x [][]float32, rows []int) *tensor.Tensor {
	f := len(x[rows[0]])
	t := tensor.New(len(rows), 1, 1, f)
	for i, r := range rows {
		copy(t.Data[i*f:], x[r])
	}
	return t
}

// fitStack trains the stacker on the given rows of the features x with the
// truth and mask of out.
func fitStack(x [][]float32, out *infer.Set, rows []int, labels int, seed uint64) (*nn.Model, error) {
	m, err := nn.Build(stackSpec(labels), rand.New(rand.NewPCG(seed, 0x737461)))
	if err != nil {
		return nil, fmt.Errorf("compare: stacker: %w", err)
	}
	w := m.Param(stackNode + ".weight").Value
	clear(w.Data)
	clear(m.Param(stackNode + ".bias").Value.Data)
	for j := range labels {
		w.Data[j*labels+j] = 0.5
		w.Data[(labels+j)*labels+j] = 0.5
	}
	xt := rowsTensor(x, rows)
	y, mask := tensor.New(len(rows), labels), tensor.New(len(rows), labels)
	for i, r := range rows {
		for j := range labels {
			y.Data[i*labels+j] = float32(out.Truth[r][j])
			if out.Mask[r][j] {
				mask.Data[i*labels+j] = 1
			}
		}
	}
	cfg := optim.DefaultAdamW()
	cfg.WeightDecay = stackDecay
	opt, err := optim.NewAdamW(m.Params(), cfg)
	if err != nil {
		return nil, fmt.Errorf("compare: stacker: %w", err)
	}
	step := &train.Step{Model: m, Loss: loss.NewBCE(nil), Optimizers: []optim.Optimizer{opt}}
	for range stackSteps {
		if _, err := step.Run(xt, y, mask, stackLR); err != nil {
			return nil, fmt.Errorf("compare: stacker: %w", err)
		}
	}
	return m, nil
}

// outOfFold returns stacked validation scores in which every row is scored
// by a stacker trained on the other folds, for honest thresholds.
func outOfFold(x [][]float32, out *infer.Set, labels, k int, seed uint64) (*infer.Set, error) {
	n := len(x)
	k = min(k, n)
	folds, err := decide.KFold(n, k, seed)
	if err != nil {
		return nil, fmt.Errorf("compare: stacking folds: %w", err)
	}
	oof := &infer.Set{Names: out.Names, Truth: out.Truth, Mask: out.Mask, Scores: make([][]float64, n)}
	for f := range k {
		var fit, held []int
		for i, fi := range folds {
			if fi == f {
				held = append(held, i)
			} else {
				fit = append(fit, i)
			}
		}
		m, err := fitStack(x, out, fit, labels, seed+uint64(f)+1)
		if err != nil {
			return nil, err
		}
		z, err := m.Forward(rowsTensor(x, held), false)
		if err != nil {
			return nil, fmt.Errorf("compare: stacker: %w", err)
		}
		p, err := infer.Probabilities(z)
		if err != nil {
			return nil, fmt.Errorf("compare: stacker: %w", err)
		}
		for i, r := range held {
			oof.Scores[r] = p[i]
		}
	}
	return oof, nil
}
