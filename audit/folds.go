package audit

import (
	"context"
	"fmt"
	"io"
	"slices"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/predict"
	"mlabel/train"
)

// DefaultFolds is the number of folds when Options.Folds is 0.
const DefaultFolds = 5

// Options configure the cross-validation of an audit.
type Options struct {
	// Train is the training configuration of every fold's model. Each
	// model trains for Train.Epochs (or Train.StopAfter) epochs on all
	// folds but one and keeps its last epoch: no image of the held-out
	// fold chooses anything about the model that scores it.
	Train train.Config
	// Preprocess is the image preprocessing; its Size is set from
	// Train.Size, and band statistics come from each fold's training
	// images.
	Preprocess imageio.Preprocess
	// Folds is the number of folds K (DefaultFolds when 0), made by
	// iterative stratification.
	Folds int
	// Repeats is the number of times the K-fold cross-validation is run
	// (1 when 0), each time with other folds and another initialisation;
	// every image's out-of-fold probabilities are the mean over the
	// repeats, which steadies the scores of the labels a single model
	// separates poorly. Each repeat trains K more models.
	Repeats int
	// Log receives one line per fold; nil discards them.
	Log io.Writer
	// Hooks report each fold's training progress.
	Hooks train.Hooks
	// TTA scores each held-out image as the mean of its test-time
	// transforms for the model's view (see predict.Predictor.SetTTA).
	TTA bool
}

// score returns the probabilities of a fold's model on its held-out images,
// through the same prediction path as a saved model.
func score(ctx context.Context, res *train.Result, held *dataset.Dataset, pre imageio.Preprocess, o Options) (*infer.Set, error) {
	b := &bundle.Bundle{
		Header:  bundle.Header{Kind: bundle.KindClassifier, Arch: res.Config.Arch, Spec: res.Spec, Labels: held.Labels, Preprocess: pre, View: string(res.Config.View)},
		Weights: res.Model.Weights(),
	}
	p, err := predict.New(b)
	if err != nil {
		return nil, err
	}
	p.SetTTA(o.TTA)
	s, err := p.ScoreSet(ctx, held, predict.BatchOptions{Batch: o.Train.Batch, Workers: o.Train.Workers})
	if err != nil {
		return nil, err
	}
	if len(s.Failures) > 0 {
		return nil, s.Failures[0]
	}
	return &s.Set, nil
}

// OutOfFold trains K models, each on all folds but one, and scores every
// image with the model that did not see it; with Options.Repeats above 1 it
// does so again on other folds and averages each image's scores. The
// returned set has one row per item of ds, in order, with its given tags as
// the truth and its unknown tags masked. Every image is read and decoded
// once first: when any cannot be, they are all named and nothing is
// trained. With a frozen backbone the backbone's features are cached once
// for all folds and repeats.
func OutOfFold(ctx context.Context, ds *dataset.Dataset, o Options) (*infer.Set, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Folds == 0 {
		o.Folds = DefaultFolds
	}
	if o.Repeats == 0 {
		o.Repeats = 1
	}
	if o.Repeats < 0 {
		return nil, fmt.Errorf("audit: %d repeats of the cross-validation", o.Repeats)
	}
	if len(ds.Labels) == 0 {
		return nil, fmt.Errorf("audit: %s has no labels: every image is untagged, there is nothing to audit", ds.Source)
	}
	if err := o.Train.Validate(); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	var folds [][][]int
	for r := range o.Repeats {
		f, err := dataset.Folds(ds, o.Folds, o.Train.Seed+uint64(r))
		if err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		folds = append(folds, f)
	}
	if _, _, err := dataset.Verify(ctx, ds, dataset.CheckOptions{MaxPixels: o.Preprocess.MaxPixels, Workers: o.Train.Workers}); err != nil {
		return nil, fmt.Errorf("audit: checking the images: %w", err)
	}
	o.Preprocess.Size = o.Train.Size
	cfg := o.Train
	if cfg.StopAfter == 0 {
		cfg.StopAfter = cfg.Epochs
	}
	cfg.Patience, cfg.Refit = 0, false
	if cfg.FreezeBackbone && cfg.Unfreeze {
		return nil, fmt.Errorf("audit: fine-tuning a frozen backbone chooses its stage on a validation split, which an out-of-fold audit does not have: freeze the backbone or train it whole")
	}
	if cfg.Backbone != "" && cfg.FreezeBackbone {
		return frozenOutOfFold(ctx, ds, folds, cfg, o)
	}
	rows := make([]row, 0, len(ds.Items)*o.Repeats)
	for r, rf := range folds {
		cfg := cfg
		cfg.Seed += uint64(r)
		for k, held := range rf {
			if o.Repeats > 1 {
				fmt.Fprintf(o.Log, "repeat %d of %d, ", r+1, o.Repeats)
			}
			fmt.Fprintf(o.Log, "fold %d of %d: training on %d images, scoring %d\n", k+1, len(rf), len(ds.Items)-len(held), len(held))
			trainIdx := others(rf, k)
			pre, err := o.Preprocess.WithBandStats(paths(ds, trainIdx))
			if err != nil {
				return nil, fmt.Errorf("audit: fold %d: %w", k+1, err)
			}
			res, err := train.Run(ctx, cfg, train.Data{Train: ds.Subset(trainIdx), Preprocess: pre}, "", false, o.Hooks)
			if err != nil {
				return nil, fmt.Errorf("audit: fold %d: %w", k+1, err)
			}
			set, err := score(ctx, res, ds.Subset(held), pre, o)
			if err != nil {
				return nil, fmt.Errorf("audit: fold %d: %w", k+1, err)
			}
			rows = appendRows(rows, held, set)
		}
	}
	return assemble(ds, rows, o.Repeats)
}

// row is one image's out-of-fold scores, with its index in the dataset.
type row struct {
	Item   int
	Scores []float64
}

// appendRows adds the rows of set, the scores of the items held, to rows.
func appendRows(rows []row, held []int, set *infer.Set) []row {
	for r, i := range held {
		rows = append(rows, row{Item: i, Scores: set.Scores[r]})
	}
	return rows
}

// assemble puts the out-of-fold rows in dataset order with each item's
// given tags and mask. Every item has one row per repeat; its scores are
// their mean.
func assemble(ds *dataset.Dataset, rows []row, repeats int) (*infer.Set, error) {
	if len(rows) != len(ds.Items)*repeats {
		return nil, fmt.Errorf("audit: %d out-of-fold rows for %d images × %d repeats", len(rows), len(ds.Items), repeats)
	}
	slices.SortStableFunc(rows, func(a, b row) int { return a.Item - b.Item })
	s := &infer.Set{Labels: ds.Labels}
	for k := range ds.Items {
		mean := make([]float64, len(ds.Labels))
		for _, r := range rows[k*repeats : (k+1)*repeats] {
			if r.Item != k || len(r.Scores) != len(mean) {
				return nil, fmt.Errorf("audit: image %d was not scored once per repeat", k)
			}
			for j, p := range r.Scores {
				mean[j] += p / float64(repeats)
			}
		}
		it := ds.Items[k]
		y, m := ds.Targets(it)
		truth, mask := make([]float64, len(y)), make([]bool, len(y))
		for j := range y {
			truth[j], mask[j] = float64(y[j]), m[j] != 0
		}
		s.Names = append(s.Names, it.Name)
		s.Scores = append(s.Scores, mean)
		s.Truth = append(s.Truth, truth)
		s.Mask = append(s.Mask, mask)
	}
	return s, nil
}

// others returns the items of every fold but k, ascending.
func others(folds [][]int, k int) []int {
	var out []int
	for j, f := range folds {
		if j != k {
			out = append(out, f...)
		}
	}
	slices.Sort(out)
	return out
}

// paths returns the file paths of the items at idx.
func paths(ds *dataset.Dataset, idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = ds.Items[i].Path
	}
	return out
}
