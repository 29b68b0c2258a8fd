package compare

import (
	"context"
	"fmt"

	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/infer"
	"mlabel/loader"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/tensor"
	"mlabel/train"
	"mlabel/workflow"
)

// option is one way of serving every label: a composed graph with one logit
// per label, its held-out predictions and its fitted thresholds.
type option struct {
	name    string
	spec    *nn.Spec
	weights map[string]*tensor.Tensor
	// passes is the number of networks a forward pass runs.
	passes int
	model  *nn.Model
	// val and test are the option's predictions; val may be replaced by
	// out-of-fold predictions (stacking).
	val, test *infer.Set
	rules     *decide.Rules
	// valSum and testSum score the thresholded predictions.
	valSum, testSum *metrics.Summary
	// testF is each label's test F-beta; fSamples and fMicro average it.
	testF            []metrics.PRF
	fSamples, fMicro float64
	// extra describes the composition for the bundle.
	extra map[string]any
}

// evalSets holds the loaders of the validation and test splits.
type evalSets struct {
	labels    []string
	val, test *loader.Loader
	testSet   *dataset.Dataset
}

func newEvalSets(o Options, va, te *dataset.Dataset) (*evalSets, error) {
	mk := func(ds *dataset.Dataset) (*loader.Loader, error) {
		return loader.New(ds, loader.Config{Preprocess: o.Preprocess, BatchSize: o.Train.Batch, Seed: o.Train.Seed, Workers: o.Train.Workers})
	}
	v, err := mk(va)
	if err != nil {
		return nil, fmt.Errorf("compare: validation loader: %w", err)
	}
	t, err := mk(te)
	if err != nil {
		return nil, fmt.Errorf("compare: test loader: %w", err)
	}
	return &evalSets{labels: va.Labels, val: v, test: t, testSet: te}, nil
}

// predict builds the option's model and predicts the validation and test
// splits.
func (op *option) predict(ctx context.Context, es *evalSets) error {
	m, err := nn.Load(op.spec, op.weights)
	if err != nil {
		return fmt.Errorf("compare: %s: %w", op.name, err)
	}
	op.model = m
	if op.val, err = train.Predict(ctx, m, es.val, nil); err != nil {
		return fmt.Errorf("compare: %s on validation: %w", op.name, err)
	}
	if op.test, err = train.Predict(ctx, m, es.test, nil); err != nil {
		return fmt.Errorf("compare: %s on test: %w", op.name, err)
	}
	return nil
}

// score fits per-label F-beta thresholds on the validation predictions and
// scores both splits with them.
func (op *option) score(o Options, labels []string) error {
	var err error
	op.rules, err = workflow.FitThresholds(*op.val, labels, o.decideOptions())
	if err != nil {
		return fmt.Errorf("compare: %s thresholds: %w", op.name, err)
	}
	return op.evaluate(o, labels)
}

// evaluate scores both splits with the option's rules.
func (op *option) evaluate(o Options, labels []string) error {
	var err error
	thr := op.rules.Thresholds()
	if op.valSum, err = metrics.Summarize(labels, op.val.Truth, op.val.Scores, op.val.Mask, thr); err != nil {
		return fmt.Errorf("compare: %s validation metrics: %w", op.name, err)
	}
	if op.testSum, err = metrics.Summarize(labels, op.test.Truth, op.test.Scores, op.test.Mask, thr); err != nil {
		return fmt.Errorf("compare: %s test metrics: %w", op.name, err)
	}
	pred, err := metrics.Binarize(op.test.Scores, thr)
	if err != nil {
		return fmt.Errorf("compare: %s decisions: %w", op.name, err)
	}
	mo := metrics.Options{Beta: op.rules.Beta, ZeroDivision: o.Decide.ZeroDivision}
	if op.testF, err = metrics.PerLabelPRF(op.test.Truth, pred, op.test.Mask, mo); err != nil {
		return fmt.Errorf("compare: %s test F: %w", op.name, err)
	}
	for _, avg := range []struct {
		a   metrics.Average
		dst *float64
	}{{metrics.Samples, &op.fSamples}, {metrics.Micro, &op.fMicro}} {
		prf, err := metrics.ScorePRF(op.test.Truth, pred, op.test.Mask, avg.a, mo)
		if err != nil {
			return fmt.Errorf("compare: %s test F: %w", op.name, err)
		}
		*avg.dst = prf.F
	}
	return nil
}

// labelAP returns the AP of column j of out over its known entries, NaN
// without a known positive.
func labelAP(out *infer.Set, j int) float64 {
	t, s := metrics.Column(out.Truth, out.Scores, out.Mask, j)
	return metrics.AveragePrecision(t, s)
}
