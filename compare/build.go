package compare

import (
	"context"
	"fmt"
	"math"

	"mlabel/infer"
	"mlabel/nn"
	"mlabel/tensor"
	"mlabel/train"
)

// models are the trained networks every option is built from.
type models struct {
	joint *train.Result
	specs []*train.Result
}

func (ms *models) jointBranch() branch {
	return branch{Prefix: "joint/", Spec: ms.joint.Spec, Weights: ms.joint.Model.Weights()}
}

func (ms *models) specBranch(j int) branch {
	return branch{Prefix: fmt.Sprintf("spec%d/", j), Spec: ms.specs[j].Spec, Weights: ms.specs[j].Model.Weights()}
}

// jointOption serves every label with the joint network as trained.
func (ms *models) jointOption() *option {
	return &option{name: Joint, spec: ms.joint.Spec, weights: ms.joint.Model.Weights(), passes: 1,
		extra: map[string]any{"option": Joint}}
}

// specialistsOption runs every specialist and concatenates their logits in
// label order.
func (ms *models) specialistsOption() (*option, error) {
	bs := make([]branch, len(ms.specs))
	for j := range bs {
		bs[j] = ms.specBranch(j)
	}
	spec, w, err := compose(bs)
	if err != nil {
		return nil, err
	}
	return &option{name: Specialists, spec: spec, weights: w, passes: len(bs),
		extra: map[string]any{"option": Specialists}}, nil
}

// championOption runs the joint network when some label picks it and the
// picked specialists, then selects each label's logit from its champion.
// picks[j] is true when label j's champion is its specialist.
func (ms *models) championOption(picks []bool, labels []string) (*option, error) {
	var bs []branch
	cols := make([]int, len(picks))
	off := 0
	for _, p := range picks {
		if !p {
			bs = append(bs, ms.jointBranch())
			off = len(labels)
			break
		}
	}
	for j, p := range picks {
		if p {
			cols[j] = off
			off++
			bs = append(bs, ms.specBranch(j))
		} else {
			cols[j] = j
		}
	}
	spec, w, err := compose(bs)
	if err != nil {
		return nil, err
	}
	addDense(spec, w, selectNode, selector(off, cols), nil)
	chosen := map[string]string{}
	for j, p := range picks {
		chosen[labels[j]] = pickName(p)
	}
	return &option{name: Champion, spec: spec, weights: w, passes: len(bs),
		extra: map[string]any{"option": Champion, "champions": chosen}}, nil
}

// pickName names a label's champion.
func pickName(specialist bool) string {
	if specialist {
		return "specialist"
	}
	return Joint
}

// stackingOption trains the dense stacker over the joint network's and
// every specialist's logits on the validation split, and returns the
// option with out-of-fold validation scores in place of its validation
// predictions, so that its thresholds are fitted honestly.
func (ms *models) stackingOption(ctx context.Context, o Options, es *evalSets, val *infer.Set) (*option, error) {
	l := len(es.labels)
	bs := []branch{ms.jointBranch()}
	for j := range ms.specs {
		bs = append(bs, ms.specBranch(j))
	}
	spec, w, err := compose(bs)
	if err != nil {
		return nil, err
	}
	m, err := nn.Load(spec, w)
	if err != nil {
		return nil, err
	}
	x, err := rawOutputs(ctx, m, es.val)
	if err != nil {
		return nil, err
	}
	if len(x) != len(val.Scores) {
		return nil, fmt.Errorf("compare: stacking: %d validation rows, want %d", len(x), len(val.Scores))
	}
	oof, err := outOfFold(x, val, l, o.StackFolds, o.Train.Seed)
	if err != nil {
		return nil, err
	}
	all := make([]int, len(x))
	for i := range all {
		all[i] = i
	}
	sm, err := fitStack(x, val, all, l, o.Train.Seed)
	if err != nil {
		return nil, err
	}
	addDense(spec, w, stackNode, cloneT(sm.Param(stackNode+".weight").Value), cloneT(sm.Param(stackNode+".bias").Value))
	op := &option{name: Stacking, spec: spec, weights: w, passes: len(bs),
		extra: map[string]any{"option": Stacking, "folds": o.StackFolds, "steps": stackSteps}}
	if err := op.predict(ctx, es); err != nil {
		return nil, err
	}
	op.val = oof
	return op, nil
}

func cloneT(t *tensor.Tensor) *tensor.Tensor {
	c := tensor.New(t.Shape...)
	copy(c.Data, t.Data)
	return c
}

// maxDiff returns the largest absolute difference between the champion's
// scores and those of the option each label was taken from.
func maxDiff(champ, joint, specs *option, picks []bool) float64 {
	d := 0.0
	for i, row := range champ.test.Scores {
		for j, s := range row {
			src := joint.test.Scores[i][j]
			if picks[j] {
				src = specs.test.Scores[i][j]
			}
			d = math.Max(d, math.Abs(s-src))
		}
	}
	return d
}
