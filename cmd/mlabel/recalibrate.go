package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"mlabel/atomicfile"
	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/predict"
	"mlabel/report"
	"mlabel/shift"
	"mlabel/train"
)

func init() { commands = append(commands, newRecalibrateCmd) }

func newRecalibrateCmd() *cobra.Command {
	ro := &recalOptions{o: shift.DefaultOptions()}
	c := &cobra.Command{
		Use:   "recalibrate --model MODEL.mlb --images NEW/ --out NEW.mlb",
		Short: "Re-fit a model's thresholds to the label prevalences of a new, unlabelled batch",
		Long: `Recalibrate estimates how often each label holds in a new batch of
unlabelled images (a new season, a new region) and re-fits the model's
per-class thresholds to it, writing a new bundle.

Each label's prevalence is estimated by EM on the model's probabilities,
calibrated on the validation split at training time, with a bootstrap 90%
interval; a black-box shift estimate from the validation confusion matrix is
shown beside it as a cross-check. The probabilities are then shifted to the
estimated prevalences (logit p' = logit p + logit π' − logit π), and each
threshold moves with them: --method mapped to the raw score whose shifted
posterior equals the old threshold's posterior, keeping what the
validation fit chose; --method expected re-fits it by expected F-beta on
the shifted posteriors, with the rule's beta and objective; --method
nearer, the default, takes whichever of the two moves it less, and keeps
it where they move it in opposite directions. The new bundle records the old and new prevalences and
thresholds and the batch they came from.

A label keeps its threshold (and is marked kept, with the reason) when the
batch shows no evidence that its prevalence moved (the estimate is within
the sampling error of the batch and of the validation set, at the 10%
level), when EM's and BBSE's estimates disagree beyond their errors (a
calibration that does not hold on the batch), when its scores moved as the
shift of a label that moved more significantly predicts, that label's own
move explained or not (labels that go together, or that the model
confuses), or when the model does not separate it on validation or
validation does not prove that it does;
the others move around it. --no-guard
re-fits every label the model separates.

This corrects a label shift: the images of each label look as they did,
only how often each label holds has changed. --report writes an HTML page
comparing each label's score distribution with validation's and warns where
the scores moved without the prevalence moving (a change in how images look,
which recalibration does not correct).

A batch needs at least 100 images. Bundles written before validation
references were stored need their labelled validation set (--val-csv).`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error { return runRecalibrate(c, ro) },
	}
	c.Flags().StringVar(&ro.model, "model", "", "model bundle")
	c.Flags().StringSliceVar(&ro.images, "images", nil, "the new batch: image files or folders (repeatable)")
	c.Flags().StringVar(&ro.out, "out", "", "the recalibrated bundle to write")
	c.Flags().BoolVar(&ro.asJSON, "json", false, `print one JSON object: {"prevalence": {label: {"train", "estimated", "interval", "bbse", "mean_score"}}, "thresholds": {label: {"old", "new"}}}`)
	c.Flags().StringVar(&ro.report, "report", "", "also write an HTML drift report to this file")
	c.Flags().IntVar(&ro.batch, "batch", 32, "images per forward pass")
	c.Flags().IntVar(&ro.o.Bootstrap, "bootstrap", ro.o.Bootstrap, "bootstrap resamples for each estimate's 90% interval (0: none)")
	c.Flags().Uint64Var(&ro.o.Seed, "seed", ro.o.Seed, "bootstrap seed")
	c.Flags().Float64Var(&ro.o.PriorStrength, "prior-strength", ro.o.PriorStrength, "weight, in images, of the prior centred on the training prevalence that each estimate is drawn toward (0: plain maximum likelihood)")
	c.Flags().BoolVar(&ro.noGuard, "no-guard", false, "re-fit every separated label's threshold, even without evidence of a shift or when EM and BBSE disagree")
	c.Flags().StringVar((*string)(&ro.o.Method), "method", string(shift.Nearer), "how thresholds move: mapped (the old threshold moved by the prior shift), expected (re-fitted by expected F-beta on the shifted posteriors) or nearer (whichever of the two moves it less)")
	c.Flags().BoolVar(&ro.skipBad, "skip-bad", false, "recalibrate on the images that could be read when some could not (they are named on stderr)")
	c.Flags().StringVar(&ro.valCSV, "val-csv", "", "for a bundle without a validation reference: its labelled validation set's tags CSV")
	c.Flags().StringVar(&ro.valImages, "val-images", "", "folder the --val-csv image names are relative to (default: the CSV's folder)")
	ro.val.register(c.Flags())
	return c
}

// fitReference scores a labelled validation set and makes the reference of
// a bundle that lacks one.
func fitReference(ctx context.Context, p *predict.Predictor, b *bundle.Bundle, rules *decide.Rules, f *csvFlags, csvPath, images string, batch int, stderr io.Writer) (*shift.Reference, error) {
	d := dataFlags{csvFlags: *f, csv: csvPath, images: images}
	ds, err := d.load(b.Labels)
	if err != nil {
		return nil, fmt.Errorf("--val-csv: %w", err)
	}
	set, err := p.ScoreSet(ctx, ds, predict.BatchOptions{Batch: batch})
	if err != nil {
		return nil, err
	}
	if len(set.Failures) > 0 {
		reportSkipped(stderr, set.Failures, len(ds.Items), true)
	}
	ref, err := shift.NewReference(set.Set, rules.Thresholds())
	if err != nil {
		return nil, fmt.Errorf("--val-csv: %w", err)
	}
	return ref, nil
}

// recalPrevalence is one label's prevalence in recalibrate's JSON output;
// BBSE is null where the rule does not separate the label on validation.
type recalPrevalence struct {
	Train     float64   `json:"train"`
	Estimated float64   `json:"estimated"`
	Interval  []float64 `json:"interval"`
	BBSE      *float64  `json:"bbse"`
	MeanScore float64   `json:"mean_score"`
	// Kept marks a label whose threshold was kept, Reason why (see
	// shift.Estimate).
	Kept   bool   `json:"kept,omitempty"`
	Reason string `json:"reason,omitempty"`
}

type recalThreshold struct {
	Old float64 `json:"old"`
	New float64 `json:"new"`
}

type recalOutput struct {
	Prevalence map[string]recalPrevalence `json:"prevalence"`
	Thresholds map[string]recalThreshold  `json:"thresholds"`
}

func recalJSON(labels []string, res *shift.Result, old []float64) recalOutput {
	out := recalOutput{Prevalence: map[string]recalPrevalence{}, Thresholds: map[string]recalThreshold{}}
	nw := res.Rules.Thresholds()
	for j, l := range labels {
		e := res.Estimates[j]
		p := recalPrevalence{Train: e.Train, Estimated: e.Estimated, Interval: e.Interval, MeanScore: e.MeanScore, Kept: e.Kept, Reason: e.Reason}
		if !math.IsNaN(e.BBSE) {
			p.BBSE = &e.BBSE
		}
		out.Prevalence[l] = p
		out.Thresholds[l] = recalThreshold{Old: old[j], New: nw[j]}
	}
	return out
}

// printRecalibration writes the estimates and thresholds as a table.
func printRecalibration(w io.Writer, labels []string, res *shift.Result, old []float64, batch shift.Batch, out string) error {
	fmt.Fprintf(w, "%d images of %s; wrote %s\n", batch.Images, batch.Source, out)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "label\tvalidation\testimated (EM)\t90% interval\tBBSE\tmean score\tthreshold\t")
	nw := res.Rules.Thresholds()
	for j, l := range labels {
		e := res.Estimates[j]
		iv := "-"
		if len(e.Interval) == 2 {
			iv = fmt.Sprintf("[%.3f, %.3f]", e.Interval[0], e.Interval[1])
		}
		if e.Kept {
			iv += " kept: " + e.Reason
		}
		bbse := "-"
		if !math.IsNaN(e.BBSE) {
			bbse = fmt.Sprintf("%.3f", e.BBSE)
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%s\t%s\t%.3f\t%.3f → %.3f\t\n", l, e.Train, e.Estimated, iv, bbse, e.MeanScore, old[j], nw[j])
	}
	return tw.Flush()
}

// writeDriftReport compares each label's batch scores with validation's and
// writes the HTML drift report.
func writeDriftReport(path, model string, labels []string, ref *shift.Reference, scores [][]float64, res *shift.Result) error {
	drift, err := shift.Compare(ref, scores, res.Estimates)
	if err != nil {
		return err
	}
	in := report.Drift{Title: "mlabel drift: " + model, ValImages: ref.Images, BatchImages: len(scores)}
	for j, l := range labels {
		e, d := res.Estimates[j], drift[j]
		col := make([]float64, len(scores))
		for i, row := range scores {
			col[i] = row[j]
		}
		dl := report.DriftLabel{Name: l, Validation: ref.Scores[j], Batch: col, Train: e.Train, Estimated: e.Estimated,
			Low: e.Estimated, High: e.Estimated, KS: d.KS, Critical: d.Critical}
		if len(e.Interval) == 2 {
			dl.Low, dl.High = e.Interval[0], e.Interval[1]
		}
		dl.Warning = shift.Warning(e, d)
		in.Labels = append(in.Labels, dl)
	}
	return atomicfile.Write(path, func(w io.Writer) error { return report.WriteDrift(w, in) })
}

// refitted reports whether the bundle's training configuration refitted
// the model on training and validation images after the validation
// predictions were made.
func refitted(b *bundle.Bundle) bool {
	var cfg train.Config
	return len(b.Config) > 0 && json.Unmarshal(b.Config, &cfg) == nil && cfg.Refit && !cfg.FreezeBackbone
}

// recalOptions are recalibrate's flags.
type recalOptions struct {
	model, out, report string
	images             []string
	asJSON, skipBad    bool
	noGuard            bool
	batch              int
	o                  shift.Options
	val                csvFlags
	valCSV, valImages  string
}

// runRecalibrate re-fits the thresholds of --model to the batch --images.
func runRecalibrate(c *cobra.Command, ro *recalOptions) error {
	if ro.model == "" || len(ro.images) == 0 || ro.out == "" {
		return usagef("--model, --images and --out are required")
	}
	p, err := predict.Open(ro.model)
	if err != nil {
		return err
	}
	b, old := p.Bundle(), p.Rules()
	if old.Thresholds() == nil || old.Calibration != nil {
		return fmt.Errorf("%s: a %s rule has no thresholds to recalibrate", ro.model, old.Kind)
	}
	ctx := context.Background()
	ref, err := recalReference(ctx, c, ro, p, b, old)
	if err != nil {
		return err
	}
	files, err := imageFiles(ro.images)
	if err != nil {
		return err
	}
	scored, err := p.ScoreFiles(ctx, files, predict.BatchOptions{Batch: ro.batch})
	if err != nil {
		return err
	}
	if len(scored.Failures) > 0 {
		if err := reportSkipped(c.ErrOrStderr(), scored.Failures, len(files), ro.skipBad); err != nil {
			return fmt.Errorf("%w; no bundle written (--skip-bad recalibrates on the others)", err)
		}
	}
	ro.o.Inherit(old)
	ro.o.Guard = !ro.noGuard
	res, err := shift.Recalibrate(ref, scored.Scores, old.Thresholds(), ro.o)
	if err != nil {
		return err
	}
	batchInfo := shift.NewBatch(ro.images, scored.Hashes, len(scored.Failures))
	nb := b.Recalibrated(old, ref, res, batchInfo, time.Now())
	if ro.report != "" {
		if err := writeDriftReport(ro.report, ro.model, b.Labels, ref, scored.Scores, res); err != nil {
			return err
		}
	}
	if err := nb.Save(ro.out); err != nil {
		return err
	}
	if ro.asJSON {
		return json.NewEncoder(c.OutOrStdout()).Encode(recalJSON(b.Labels, res, old.Thresholds()))
	}
	return printRecalibration(c.OutOrStdout(), b.Labels, res, old.Thresholds(), batchInfo, ro.out)
}

// recalReference returns the bundle's validation reference, or fits one on
// the labelled validation set --val-csv for a bundle that has none.
func recalReference(ctx context.Context, c *cobra.Command, ro *recalOptions, p *predict.Predictor, b *bundle.Bundle, old *decide.Rules) (*shift.Reference, error) {
	ref := b.Reference
	if ref != nil {
		if err := ref.Check(len(b.Labels)); err != nil {
			return nil, fmt.Errorf("%s: %w", ro.model, err)
		}
	}
	if ref != nil && refitted(b) && ref.Split != "test" {
		fmt.Fprintln(c.ErrOrStderr(), "note: this model was trained once more on its validation images after its validation reference was made, and had no test split to make one from, so the reference describes the model before that refit; its scores may differ, which the guard's error bounds do not count (train with a --test split, or --refit false, keeps them matched)")
	}
	if ref == nil {
		if ro.valCSV == "" {
			return nil, fmt.Errorf("%s: %w: the bundle was written before validation references were stored; give its labelled validation set with --val-csv FILE (and --val-images DIR)", ro.model, shift.ErrNoReference)
		}
		var err error
		if ref, err = fitReference(ctx, p, b, old, &ro.val, ro.valCSV, ro.valImages, ro.batch, c.ErrOrStderr()); err != nil {
			return nil, err
		}
	}
	return ref, nil
}
