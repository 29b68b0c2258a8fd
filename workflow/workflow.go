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
	"path/filepath"
	"slices"
	"strings"

	"mlabel/atomicfile"
	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/loader"
	"mlabel/masks"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/predict"
	"mlabel/shift"
	"mlabel/tensor"
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
	// Structure, when not nil, is what is known of how the labels go
	// together. Its exclusive and at-most-one groups become softmax groups
	// of the network (train.Config's Exclusive and AtMostOne), and the
	// whole structure goes into the bundle's rule, which applies it
	// wherever the bundle decides.
	Structure *decide.Structure
	// ProveStructure, when Structure is nil, looks in the tags of the
	// training and validation splits for exclusive groups that they prove
	// (decide.ProvenExclusive: every image carries exactly one of the
	// group, beyond chance) and uses them as if declared, saying so in
	// the log.
	ProveStructure bool
	// Tiles, when its N is positive, also fits thresholds for images
	// scored tile by tile with that grid (predict's tiles, max-pooled; a
	// segmenter's tile area fractions, max-pooled): Run
	// scores the validation split so with the model validation chose,
	// before any refit, fits the thresholds on those scores as on whole
	// images, and stores them in the bundle with the grid.
	Tiles imageio.Grid

	// tiledVal holds the validation split's tiled scores, set by Run.
	tiledVal *infer.Set
	// Budget, when not nil, bounds the run's wall-clock time: Run chooses
	// the size and epochs it affords (see the Budget type).
	Budget *Budget
	// budget is the plan of a budgeted run, set by Run.
	budget *budgetState
	// Masks, when not nil, selects the segmentation route: the network
	// learns each image's mask (Train.Segment is set), untagged images get
	// the tags their masks show, the thresholds are fitted on area
	// fractions and the bundle is a segmenter.
	Masks *masks.Set
	// Scale, with Masks, is the fixed scale the segmenter trains and
	// predicts at, in image pixels per network pixel (see
	// bundle.Segment.Scale): 0 lets Run choose it from the training
	// images (SegmentScale), a negative value resizes whole images.
	Scale int
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
	// TestCSV is the tags CSV of the test split written next to the
	// bundle; empty when none was written.
	TestCSV string
	// TestTagSep is the separator between the tags of TestCSV: the one the
	// set was read with, to read it back with.
	TestTagSep string
	// Segmentation holds the pixel figures on the test split (on
	// validation without one) of a segmentation run; nil otherwise.
	Segmentation *metrics.Segmentation
}

// Run executes the main job on ds. It first reads and decodes every image:
// when any cannot be read it names them all and trains nothing.
func Run(ctx context.Context, ds *dataset.Dataset, o Options) (*Outcome, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	o.startBudget()
	if o.ValFrac <= 0 || o.TestFrac < 0 || o.ValFrac+o.TestFrac >= 1 {
		return nil, fmt.Errorf("workflow: validation fraction %g and test fraction %g must leave data to train on", o.ValFrac, o.TestFrac)
	}
	if o.Masks != nil {
		var err error
		if ds, err = PrepareMasks(ds, o.Masks, o.Preprocess.MaxPixels); err != nil {
			return nil, err
		}
		o.Train.Segment = true
	}
	if len(ds.Labels) == 0 {
		return nil, fmt.Errorf("workflow: %s has no labels: every image is untagged, there is nothing to learn", ds.Source)
	}
	if o.Out != "" && o.TestFrac > 0 {
		// The test split is written as a tags CSV at the end: a label it
		// could not write is refused now, not after the training.
		if err := dataset.CheckTagSep(ds.Labels, ds.TagSep); err != nil {
			return nil, fmt.Errorf("workflow: the test split of %s: %w", ds.Source, err)
		}
	}
	if o.Tiles.N != 0 {
		if err := o.Tiles.Check(); err != nil {
			return nil, fmt.Errorf("workflow: %w", err)
		}
	}
	// Every image is read and decoded once before the first epoch, so that
	// a bad file stops the run now, named with its CSV line, and never in
	// the middle of an epoch; the content hashes go into the bundle.
	hashes, warns, err := dataset.Verify(ctx, ds, dataset.CheckOptions{MaxPixels: o.Preprocess.MaxPixels, Workers: o.Train.Workers})
	if err != nil {
		return nil, fmt.Errorf("workflow: checking the images before training: %w", err)
	}
	printWarnings(o.Log, append(slices.Clip(ds.Warnings), warns...))
	parts, err := SplitParts(ds, o.ValFrac, o.TestFrac, o.Train.Seed)
	if err != nil {
		return nil, err
	}
	stats := dataset.Stats(ds, parts)
	stats.Print(o.Log, []string{"train", "val", "test"}[:len(parts)])
	if o.Structure.Empty() && o.ProveStructure && o.Masks == nil {
		o.proveStructure(ds.Subset(slices.Concat(parts[0], parts[1])))
	}
	if err := o.useStructure(ds); err != nil {
		return nil, err
	}

	o.Preprocess.Size = o.Train.Size
	// Band statistics come from the training split only, before the
	// first epoch; RGB preprocessing is left as it is.
	trainPaths := make([]string, len(parts[0]))
	for i, j := range parts[0] {
		trainPaths[i] = ds.Items[j].Path
	}
	if o.Preprocess, err = o.Preprocess.WithBandStats(trainPaths); err != nil {
		return nil, fmt.Errorf("workflow: %w", err)
	}
	if err := o.planBudget(ctx, ds, parts); err != nil {
		return nil, err
	}
	if o.Masks != nil && o.Scale == 0 {
		if o.Scale, err = SegmentScale(ds.Subset(parts[0]), o.Preprocess); err != nil {
			return nil, err
		}
		if o.Scale > 0 {
			fmt.Fprintf(o.Log, "scale: training on %d×%d windows of the images reduced by %d (the median training image's shorter side over the input size), and predicting by such windows\n",
				o.Preprocess.Size, o.Preprocess.Size, o.Scale)
		}
	}
	o.Scale = max(o.Scale, 0)
	data := train.Data{Train: ds.Subset(parts[0]), Val: ds.Subset(parts[1]), Preprocess: o.Preprocess, Masks: o.Masks, Scale: o.Scale}
	ckpt := ""
	if o.Out != "" {
		ckpt = o.Out + ".ckpt"
	}
	announce(o, len(parts[0]), len(parts[1]), 0)
	res, err := train.Run(ctx, o.Train, data, ckpt, o.Resume, o.Hooks)
	if err != nil {
		return nil, err
	}
	if o.Tiles.N > 0 {
		// The refit trains on the validation images: their tiles are
		// scored by the model that never saw them.
		fmt.Fprintf(o.Log, "tiles: scoring the %d validation images in %v to fit thresholds for tiled prediction\n", len(parts[1]), o.Tiles)
		if o.tiledVal, err = predictTiled(ctx, res.Spec, res.Model.Weights(), ds.Subset(parts[1]), o.Preprocess, o.Tiles, o.Train); err != nil {
			return nil, err
		}
	}
	if err := refit(ctx, ds, parts, res, o); err != nil {
		return nil, err
	}
	return finish(ctx, ds, parts, res, o, stats, hashes)
}

// maxWarnings is how many warnings a run prints before summarising.
const maxWarnings = 10

// printWarnings prints the first few warnings about the data.
func printWarnings(w io.Writer, ps []dataset.Problem) {
	for i, p := range ps {
		if i == maxWarnings {
			fmt.Fprintf(w, "... and %d more warning(s) (the data check lists them all)\n", len(ps)-maxWarnings)
			return
		}
		fmt.Fprintln(w, p)
	}
}

// TestCSVPath is where a run writing the bundle out writes its test split:
// farm.mlb gives farm.test.csv.
func TestCSVPath(out string) string {
	return strings.TrimSuffix(out, filepath.Ext(out)) + ".test.csv"
}

// refitted reports whether a run of cfg is refitted (see refit).
func refitted(cfg train.Config) bool { return cfg.Refit && !cfg.FreezeBackbone }

// RefitEpochs is how many epochs of the first run's schedule the refit
// trains. A decaying schedule (onecycle, cosine) that ran to its end is
// replayed whole: its model is meant to be taken annealed, at the last
// epoch, and the epoch a small validation split picks is mostly noise
// (stopping there leaves the refitted model at a high learning rate). A
// constant schedule, or a run that early stopping ended, is refitted for
// its best epoch's number of epochs, where validation stopped improving,
// and so is every run with cfg.RefitToBest.
func RefitEpochs(cfg train.Config, res *train.Result) int {
	ran := 0
	if n := len(res.History); n > 0 {
		ran = res.History[n-1].Epoch
	}
	if !cfg.RefitToBest && cfg.Schedule != "constant" && ran == cfg.Epochs {
		return cfg.Epochs
	}
	return res.BestEpoch
}

// announce tells o.Hooks.Plan the stages of the job: the run on the trainN
// images, validated, and, when the run is refitted, the refit on trainN and
// valN images together for refitEpochs epochs, or, before the run has
// settled them, as many as the run's.
func announce(o Options, trainN, valN, refitEpochs int) {
	if o.Hooks.Plan == nil {
		return
	}
	epochs := o.Train.Epochs
	if o.Train.StopAfter > 0 {
		epochs = min(epochs, o.Train.StopAfter)
	}
	stages := []train.Stage{{Epochs: epochs, Images: trainN, Validated: true}}
	if refitted(o.Train) {
		if refitEpochs <= 0 {
			refitEpochs = epochs
		}
		stages = append(stages, train.Stage{Epochs: refitEpochs, Images: trainN + valN})
	}
	o.Hooks.Plan(stages)
}

// refit, when the run's configuration asks for it, trains the network once
// more on the training and validation images together, for RefitEpochs
// epochs of the same schedule (by default continuing from the validated
// model, see train.Refit), and puts the result in res.Model. The
// validation predictions of the first model stay in res.Val: the
// thresholds are fitted on them, on images that model did not see. A
// frozen-backbone run is not refitted.
func refit(ctx context.Context, ds *dataset.Dataset, parts [][]int, res *train.Result, o Options) error {
	cfg := res.Config
	if !refitted(cfg) {
		return nil
	}
	cfg.StopAfter, cfg.Patience = RefitEpochs(cfg, res), 0
	epochs, ok := o.refitInTime(res, cfg)
	if !ok {
		return nil
	}
	if epochs < cfg.StopAfter {
		// A whole shorter schedule, annealed at its end.
		cfg.Epochs, cfg.StopAfter = epochs, epochs
	}
	announce(o, len(parts[0]), len(parts[1]), cfg.StopAfter)
	all := ds.Subset(append(append([]int(nil), parts[0]...), parts[1]...))
	from := "a fresh initialisation"
	if cfg.RefitFrom == train.RefitFromValidated {
		from = "the validated model"
	}
	fmt.Fprintf(o.Log, "refit: training once more on all %d training and validation images for %d epochs, from %s; the thresholds stay those fitted on validation\n",
		len(all.Items), cfg.StopAfter, from)
	ckpt := ""
	if o.Out != "" {
		ckpt = o.Out + ".refit.ckpt"
	}
	r, err := train.Refit(ctx, cfg, train.Data{Train: all, Preprocess: o.Preprocess, Masks: o.Masks, Scale: o.Scale}, res, ckpt, o.Resume, o.Hooks)
	if err != nil {
		return fmt.Errorf("workflow: refit: %w", err)
	}
	if r.OutOfTime {
		if !keepLateRefit(cfg, r.History) {
			o.budgetStop(res, fmt.Sprintf("the refit ran late and stopped after epoch %d of %d; it is dropped, the validated model kept", len(r.History), cfg.StopAfter))
			return nil
		}
		o.budgetNote(res, fmt.Sprintf("the refit ran late and stopped after epoch %d of %d, its learning rate already under a tenth of the peak; it is kept", len(r.History), cfg.StopAfter))
	}
	res.Model = r.Model
	return nil
}

// finish fits the decision rules and the validation reference (see
// shift.NewReference) on the validation predictions, evaluates on
// the test split and writes the bundle, which records the split (with the
// images' content hashes when hashes, one per item of ds, is not nil), and
// the test split as a tags CSV at TestCSVPath(o.Out). Run calls it; it is
// separate so that callers with their own training hooks can use it.
func finish(ctx context.Context, ds *dataset.Dataset, parts [][]int, res *train.Result, o Options, stats dataset.SplitStats, hashes []string) (*Outcome, error) {
	rules, err := FitThresholds(*res.Val, ds.Labels, o.Decide)
	if err != nil {
		return nil, err
	}
	for _, w := range noPositiveWarnings(rules, ds.Labels) {
		fmt.Fprintln(o.Log, w)
	}
	rules.Structure = o.Structure
	out := &Outcome{Split: stats, Result: res, Parts: parts}
	evalOut, evalIoU := res.Val, res.ValIoU
	if len(parts) > 2 {
		if o.Masks != nil {
			evalOut, evalIoU, err = PredictMasks(ctx, res.Model, ds.Subset(parts[2]), o.Preprocess, o.Masks, o.Train.Batch, o.Scale, res.ValIoU.Thresholds)
		} else {
			evalOut, err = Predict(ctx, res.Model, ds.Subset(parts[2]), o.Preprocess, o.Train.Batch)
		}
		if err != nil {
			return nil, err
		}
		out.Compare, err = decide.Compare(*res.Val, *evalOut, o.Decide)
		if err != nil {
			return nil, fmt.Errorf("workflow: compare decision rules: %w", err)
		}
	}
	// The held-out predictions of the bundle's model become the reference
	// a later batch is recalibrated against: validation's, or, for a model
	// refitted on the validation images, the test split's, which it has
	// not seen (the validation predictions describe the model before the
	// refit). Those images fix each label's calibration, the shape of its
	// scores; its prevalence is counted on every labelled image of the
	// run (shift.NewReferenceAt), a far smaller sampling error than a
	// held-out split's own rates.
	refSet, refSplit := res.Val, "validation"
	if refitted(res.Config) && len(parts) > 2 {
		refSet, refSplit = evalOut, "test"
	}
	prior, err := shift.CountPrior(ds.Subset(slices.Concat(parts...)).TagMatrix())
	if err != nil {
		return nil, fmt.Errorf("workflow: %w", err)
	}
	ref, err := shift.NewReferenceAt(*refSet, rules.Thresholds(), prior)
	if err != nil {
		return nil, fmt.Errorf("workflow: %s reference: %w", refSplit, err)
	}
	ref.Split = refSplit
	// The held-out figures are of the rule's own decisions, structure
	// included, as eval and report score a set.
	out.Test, err = metrics.SummarizeDecisions(ds.Labels, evalOut.Truth, evalOut.Scores, evalOut.Mask, rules.Apply(evalOut.Scores), rules.Thresholds())
	if err != nil {
		return nil, fmt.Errorf("workflow: evaluate: %w", err)
	}
	tc := o.Train
	if res.Config.Arch != "" {
		tc = res.Config // the view settled by the run
	}
	cfg, err := json.Marshal(tc)
	if err != nil {
		return nil, fmt.Errorf("workflow: encode config: %w", err)
	}
	out.Bundle = ClassifierBundle(o.Train.Arch, res.Spec, ds.Labels, o.Preprocess, rules, out.Test, cfg, res.Model.Weights())
	if evalIoU != nil {
		out.Segmentation = metrics.NewSegmentation(evalIoU, ds.Labels, train.PixelThreshold)
		out.Segmentation.PixelThresholds, out.Segmentation.Scale = res.ValIoU.Thresholds, o.Scale
		SegmenterBundle(out.Bundle, out.Segmentation)
	}
	out.Bundle.View, out.Bundle.History = string(tc.View), res.History
	out.Bundle.Split, out.Bundle.Reference = newSplit(ds, parts, hashes), ref
	if o.tiledVal != nil {
		tr, err := FitThresholds(*o.tiledVal, ds.Labels, o.Decide)
		if err != nil {
			return nil, fmt.Errorf("workflow: tiles: %w", err)
		}
		tr.Structure = o.Structure
		out.Bundle.Tiles = &decide.Tiled{Grid: o.Tiles.N, Overlap: o.Tiles.Overlap, Rules: tr, Images: o.tiledVal.Len()}
	}
	if o.Out != "" {
		if err := out.Bundle.Save(o.Out); err != nil {
			return nil, fmt.Errorf("workflow: %w", err)
		}
		os.Remove(o.Out + ".ckpt")
		os.Remove(o.Out + ".refit.ckpt")
		if len(parts) > 2 {
			out.TestCSV, out.TestTagSep = TestCSVPath(o.Out), ds.TagSep
			write := func(w io.Writer) error { return dataset.WriteCSV(w, ds.Subset(parts[2]), filepath.Dir(out.TestCSV)) }
			if err := atomicfile.Write(out.TestCSV, write); err != nil {
				return nil, fmt.Errorf("workflow: test split: %w", err)
			}
		}
	}
	return out, nil
}

// Predict runs model on every image of ds in evaluation mode.
func Predict(ctx context.Context, m *nn.Model, ds *dataset.Dataset, pre imageio.Preprocess, batch int) (*infer.Set, error) {
	l, err := loader.New(ds, loader.Config{Preprocess: pre, BatchSize: batch})
	if err != nil {
		return nil, fmt.Errorf("workflow: %w", err)
	}
	return train.Predict(ctx, m, l, nil)
}

// predictTiled scores every image of ds as predict scores it with tiles
// cut by g: the network of spec and weights runs on each tile, and each
// label's score is the largest of the image's tiles' (a segmenter's, with
// cfg.Segment, the largest tile area fraction). The truth and mask come
// from ds. An image that cannot be read is an error naming it.
func predictTiled(ctx context.Context, spec *nn.Spec, weights map[string]*tensor.Tensor, ds *dataset.Dataset, pre imageio.Preprocess, g imageio.Grid, cfg train.Config) (*infer.Set, error) {
	b := ClassifierBundle(cfg.Arch, spec, ds.Labels, pre, nil, nil, nil, weights)
	if cfg.Segment {
		SegmenterBundle(b, &metrics.Segmentation{PixelThreshold: train.PixelThreshold})
	}
	p, err := predict.New(b)
	if err != nil {
		return nil, fmt.Errorf("workflow: tiles: %w", err)
	}
	s, err := p.ScoreSet(ctx, ds, predict.BatchOptions{Batch: cfg.Batch, Workers: cfg.Workers, Tiles: g.N, Overlap: g.Overlap})
	if err != nil {
		return nil, fmt.Errorf("workflow: tiles: %w", err)
	}
	if len(s.Failures) > 0 {
		return nil, fmt.Errorf("workflow: tiles: %d images could not be scored, the first %v", len(s.Failures), s.Failures[0])
	}
	return &s.Set, nil
}

// newSplit records the items of ds at the indices of parts (train,
// validation and, when present, test), with the items' hashes when hashes
// (one per item of ds) is not nil.
func newSplit(ds *dataset.Dataset, parts [][]int, hashes []string) *bundle.Split {
	take := func(k int) []bundle.SplitImage {
		if k >= len(parts) {
			return nil
		}
		out := make([]bundle.SplitImage, len(parts[k]))
		for i, j := range parts[k] {
			out[i].Name = ds.Items[j].Name
			if hashes != nil {
				out[i].SHA256 = hashes[j]
			}
		}
		return out
	}
	return &bundle.Split{Train: take(0), Val: take(1), Test: take(2)}
}

// SplitParts splits ds by iterative stratification into train, validation
// and, when testFrac > 0, test item indices, refusing fractions that leave
// nothing to train on and splits that come out empty.
func SplitParts(ds *dataset.Dataset, valFrac, testFrac float64, seed uint64) ([][]int, error) {
	if valFrac <= 0 || testFrac < 0 || valFrac+testFrac >= 1 {
		return nil, fmt.Errorf("workflow: validation fraction %g and test fraction %g must leave data to train on", valFrac, testFrac)
	}
	fr := []float64{1 - valFrac - testFrac, valFrac}
	if testFrac > 0 {
		fr = append(fr, testFrac)
	}
	parts, err := dataset.Split(ds, fr, seed)
	if err != nil {
		return nil, fmt.Errorf("workflow: split: %w", err)
	}
	for i, name := range []string{"train", "validation", "test"}[:len(parts)] {
		if len(parts[i]) == 0 {
			return nil, fmt.Errorf("workflow: the %s split is empty: %d images are too few", name, len(ds.Items))
		}
	}
	return parts, nil
}

// FitThresholds fits the per-class F-beta thresholds on a validation set's
// predictions, named by labels.
func FitThresholds(val infer.Set, labels []string, o decide.Options) (*decide.Rules, error) {
	rules, err := decide.FitPerClass(val, o)
	if err != nil {
		return nil, fmt.Errorf("workflow: fit thresholds: %w", err)
	}
	rules.Names = labels
	return rules, nil
}

// noPositiveWarnings returns a warning for each label of per-class rules
// that had no positive among the scores they were fitted on: its threshold
// is no fit of its own but the fallback, the global threshold, and its
// interval has no width.
func noPositiveWarnings(r *decide.Rules, labels []string) []string {
	if r.Kind != decide.PerClass {
		return nil
	}
	var out []string
	for j, p := range r.Positives {
		if p == 0 && j < len(labels) {
			out = append(out, fmt.Sprintf("warning: label %q has no positive in the validation split: its threshold is the fallback, the global threshold %.3f fitted on all labels together (its interval has no width); more tagged images, or a larger validation fraction, would fit its own",
				labels[j], r.Global))
		}
	}
	return out
}

// ClassifierBundle assembles a classifier bundle from a trained network,
// its preprocessing, its fitted rules, the metrics to record and the
// encoded training configuration.
func ClassifierBundle(arch string, spec *nn.Spec, labels []string, pre imageio.Preprocess, rules *decide.Rules, sum *metrics.Summary, cfg json.RawMessage, weights map[string]*tensor.Tensor) *bundle.Bundle {
	return &bundle.Bundle{
		Header: bundle.Header{
			Kind: bundle.KindClassifier, Arch: arch, Spec: spec, Labels: labels, Preprocess: pre,
			Rules: rules, Metrics: sum, Config: cfg,
		},
		Weights: weights,
	}
}
