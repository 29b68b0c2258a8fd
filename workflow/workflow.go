// Package workflow runs mlabel's main job on a labelled dataset: split it by
// iterative stratification, train, fit per-class decision thresholds on the
// held-out validation split, evaluate on the untouched test split, and put
// everything in one model bundle.
package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/loader"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/train"
)

// Options configure a run.
type Options struct {
	Train train.Config
	// Preprocess is the image preprocessing; its Size is set from Train.Size.
	Preprocess imageio.Preprocess
	// ValFrac and TestFrac are the held-out fractions. Thresholds are fitted
	// on the validation split and scored on the test split.
	ValFrac, TestFrac float64
	// Decide configures the per-class threshold fit.
	Decide decide.Options
	// Out is the bundle path; the checkpoint is Out + ".ckpt".
	Out string
	// Resume continues from the checkpoint when it exists.
	Resume bool
	// Log receives the split report and other notices; nil discards them.
	Log io.Writer
	// Hooks report training progress.
	Hooks train.Hooks
}

// Outcome is what a run produced.
type Outcome struct {
	Bundle  *bundle.Bundle
	Split   dataset.SplitStats
	Test    *metrics.Summary   // metrics on the test split with the fitted thresholds
	Compare *decide.Comparison // decision rules fitted on validation, scored on test
	Result  *train.Result
	// Parts holds the item indices of the train, validation and test splits.
	Parts [][]int
}

// Run executes the main job on ds.
func Run(ctx context.Context, ds *dataset.Dataset, o Options) (*Outcome, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.ValFrac <= 0 || o.TestFrac < 0 || o.ValFrac+o.TestFrac >= 1 {
		return nil, fmt.Errorf("workflow: validation fraction %g and test fraction %g must leave data to train on", o.ValFrac, o.TestFrac)
	}
	if len(ds.Labels) == 0 {
		return nil, fmt.Errorf("workflow: %s has no labels: every image is untagged, there is nothing to learn", ds.Source)
	}
	fr := []float64{1 - o.ValFrac - o.TestFrac, o.ValFrac}
	if o.TestFrac > 0 {
		fr = append(fr, o.TestFrac)
	}
	parts, err := dataset.Split(ds, fr, o.Train.Seed)
	if err != nil {
		return nil, fmt.Errorf("workflow: split: %w", err)
	}
	for i, name := range []string{"train", "validation", "test"}[:len(parts)] {
		if len(parts[i]) == 0 {
			return nil, fmt.Errorf("workflow: the %s split is empty: %d images are too few", name, len(ds.Items))
		}
	}
	stats := dataset.Stats(ds, parts)
	stats.Print(o.Log, []string{"train", "val", "test"}[:len(parts)])

	o.Preprocess.Size = o.Train.Size
	data := train.Data{Train: ds.Subset(parts[0]), Val: ds.Subset(parts[1]), Preprocess: o.Preprocess}
	ckpt := ""
	if o.Out != "" {
		ckpt = o.Out + ".ckpt"
	}
	res, err := train.Run(ctx, o.Train, data, ckpt, o.Resume, o.Hooks)
	if err != nil {
		return nil, err
	}
	return Finish(ctx, ds, parts, res, o, stats)
}

// Finish fits the decision rules on the validation predictions, evaluates on
// the test split and writes the bundle. Run calls it; it is separate so that
// callers with their own training hooks can use it.
func Finish(ctx context.Context, ds *dataset.Dataset, parts [][]int, res *train.Result, o Options, stats dataset.SplitStats) (*Outcome, error) {
	valSplit := decide.Split{Scores: res.Val.Scores, Truth: res.Val.Truth, Mask: res.Val.Mask}
	rules, err := decide.FitPerClass(valSplit, o.Decide)
	if err != nil {
		return nil, fmt.Errorf("workflow: fit thresholds: %w", err)
	}
	rules.Names = ds.Labels
	out := &Outcome{Split: stats, Result: res, Parts: parts}
	evalOut := res.Val
	if len(parts) > 2 {
		evalOut, err = Predict(ctx, res.Model, ds.Subset(parts[2]), o.Preprocess, o.Train.Batch)
		if err != nil {
			return nil, err
		}
		testSplit := decide.Split{Scores: evalOut.Scores, Truth: evalOut.Truth, Mask: evalOut.Mask}
		out.Compare, err = decide.Compare(valSplit, testSplit, o.Decide)
		if err != nil {
			return nil, fmt.Errorf("workflow: compare decision rules: %w", err)
		}
	}
	out.Test, err = metrics.Summarize(ds.Labels, evalOut.Truth, evalOut.Scores, evalOut.Mask, rules.Thresholds())
	if err != nil {
		return nil, fmt.Errorf("workflow: evaluate: %w", err)
	}
	cfg, err := json.Marshal(o.Train)
	if err != nil {
		return nil, fmt.Errorf("workflow: encode config: %w", err)
	}
	out.Bundle = &bundle.Bundle{
		Header: bundle.Header{
			Kind: "classifier", Arch: o.Train.Arch, Spec: res.Spec, Labels: ds.Labels,
			Preprocess: o.Preprocess, Rules: rules, Metrics: out.Test, Config: cfg, History: res.History,
		},
		Weights: res.Model.Weights(),
	}
	if o.Out != "" {
		if err := out.Bundle.Save(o.Out); err != nil {
			return nil, fmt.Errorf("workflow: %w", err)
		}
		os.Remove(o.Out + ".ckpt")
	}
	return out, nil
}

// Predict runs model on every image of ds in evaluation mode.
func Predict(ctx context.Context, m *nn.Model, ds *dataset.Dataset, pre imageio.Preprocess, batch int) (*train.Outputs, error) {
	l, err := loader.New(ds, loader.Config{Preprocess: pre, BatchSize: batch})
	if err != nil {
		return nil, fmt.Errorf("workflow: %w", err)
	}
	return train.Predict(ctx, m, l, nil)
}
