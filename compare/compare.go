package compare

import (
	"context"
	"fmt"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/train"
)

// Run trains the joint model and one specialist per label on the same split
// with the same configuration, composes the joint, specialists, champion
// and (with o.Stacking) stacking options, and compares their quality on the
// test split and their cost.
func Run(ctx context.Context, o Options) (*Result, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	tr, va, te, err := splits(o)
	if err != nil {
		return nil, err
	}
	labels := o.Data.Labels
	o.log("split: %d train, %d validation, %d test images; %d labels", len(tr.Items), len(va.Items), len(te.Items), len(labels))
	ms, err := trainAll(ctx, o, tr, va)
	if err != nil {
		return nil, err
	}
	es, err := newEvalSets(o, va, te)
	if err != nil {
		return nil, err
	}
	ops, chosen, err := options(ctx, o, ms, es)
	if err != nil {
		return nil, err
	}
	res := &Result{
		Labels:          labels,
		Beta:            o.Decide.Beta,
		Split:           SplitSizes{Train: len(tr.Items), Validation: len(va.Items), Test: len(te.Items)},
		PerLabel:        perLabel(o, labels, ops, chosen),
		Quality:         map[string]Quality{},
		Cost:            map[string]Cost{},
		ChampionMaxDiff: maxDiff(ops[Champion], ops[Joint], ops[Specialists], chosen),
		Bootstrap:       o.Bootstrap,
		Bundles:         map[string]*bundle.Bundle{},
	}
	x, err := timingBatch(ctx, o, es)
	if err != nil {
		return nil, err
	}
	for name, op := range ops {
		b, err := newBundle(o, op, labels, o.Preprocess)
		if err != nil {
			return nil, err
		}
		c, err := cost(op, b, x, o.Preprocess.Size, o.Repeats)
		if err != nil {
			return nil, err
		}
		res.Bundles[name], res.Cost[name], res.Quality[name] = b, c, quality(op)
	}
	return res, nil
}

// trainAll trains the joint model and every specialist.
func trainAll(ctx context.Context, o Options, tr, va *dataset.Dataset) (*models, error) {
	fit := func(what string, tr, va *dataset.Dataset) (*train.Result, error) {
		o.log("training %s", what)
		r, err := train.Run(ctx, o.Train, train.Data{Train: tr, Val: va, Preprocess: o.Preprocess}, "", false, train.Hooks{})
		if err != nil {
			return nil, fmt.Errorf("compare: %s: %w", what, err)
		}
		return r, nil
	}
	ms := &models{}
	var err error
	if ms.joint, err = fit("the joint model", tr, va); err != nil {
		return nil, err
	}
	for j, name := range tr.Labels {
		r, err := fit(fmt.Sprintf("specialist %d/%d (%s)", j+1, len(tr.Labels), name), only(tr, j), only(va, j))
		if err != nil {
			return nil, err
		}
		ms.specs = append(ms.specs, r)
	}
	return ms, nil
}

// options builds, predicts and scores every option, and returns each
// label's pick (true for its specialist).
func options(ctx context.Context, o Options, ms *models, es *evalSets) (map[string]*option, []bool, error) {
	ops := map[string]*option{Joint: ms.jointOption()}
	var err error
	if ops[Specialists], err = ms.specialistsOption(); err != nil {
		return nil, nil, err
	}
	for _, name := range []string{Joint, Specialists} {
		if err := ops[name].predict(ctx, es); err != nil {
			return nil, nil, err
		}
	}
	chosen := picks(ops[Joint], ops[Specialists], len(es.labels))
	if ops[Champion], err = ms.championOption(chosen, es.labels); err != nil {
		return nil, nil, err
	}
	if err := ops[Champion].predict(ctx, es); err != nil {
		return nil, nil, err
	}
	if o.Stacking {
		o.log("training the stacker")
		if ops[Stacking], err = ms.stackingOption(ctx, o, es, ops[Joint].val); err != nil {
			return nil, nil, err
		}
	}
	for _, op := range ops {
		if err := op.score(o, es.labels); err != nil {
			return nil, nil, err
		}
	}
	return ops, chosen, nil
}
