package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"mlabel/atomicfile"
	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/metrics"
	"mlabel/predict"
)

func init() { commands = append(commands, newEvalCmd) }

// evalOptions are eval's flags.
type evalOptions struct {
	df      dataFlags
	model   string
	save    string
	asJSON  bool
	batch   int
	skipBad bool
	tta     bool
	maskDir string
}

func newEvalCmd() *cobra.Command {
	eo := &evalOptions{}
	c := &cobra.Command{
		Use:   "eval --model MODEL.mlb [--csv FILE [--images DIR] | --folders DIR]",
		Short: "Score a model on a labelled set with its fitted thresholds",
		Long: `Eval predicts every image of a labelled set and computes the metrics
(samples, micro and macro F-beta, mAP, Hamming loss, subset accuracy, ranking
metrics) with the decision rule stored in the bundle, as predict decides: its
thresholds, calibration and label structure. The set is read with the
model's label vocabulary: a label the model does not know is an error.
With neither --csv nor --folders, the set is the test split train wrote
beside the bundle (MODEL.test.csv).

Images the model was trained or validated on (matched by content, or by name
for bundles that record no hashes) are counted, with a warning: their
figures are optimistic. Images that cannot be decoded are named on stderr and
left out of the metrics; the exit code is then 1, or 0 with --skip-bad.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error { return runEval(c, eo) },
	}
	eo.df.register(c.Flags())
	c.Flags().StringVar(&eo.model, "model", "", "model bundle")
	outFlag(c, &eo.save, "", "also write the metrics as JSON to this file", "save")
	c.Flags().BoolVar(&eo.asJSON, "json", false, "print the metrics as JSON")
	c.Flags().IntVar(&eo.batch, "batch", 32, "images per forward pass")
	c.Flags().BoolVar(&eo.tta, "tta", false, ttaUsage)
	c.Flags().BoolVar(&eo.skipBad, "skip-bad", false, "exit 0 even when some images could not be decoded (they are still named on stderr)")
	c.Flags().StringVar(&eo.maskDir, "masks", "", "with a segmenter: the set's masks, to add the pixel IoU per label and its mean (miou_macro)")
	return c
}

// runEval scores --model on the labelled set and prints its metrics.
func runEval(c *cobra.Command, eo *evalOptions) error {
	r, err := scoreLabelled(context.Background(), eo.model, &eo.df, eo.batch, eo.tta, c.ErrOrStderr())
	if err != nil {
		return err
	}
	s, err := summarizeWithRules(r.b, r.set.Truth, r.set.Scores, r.set.Mask)
	if err != nil {
		return err
	}
	var px *pixelFigures
	if eo.maskDir != "" {
		if px, err = evalMasks(context.Background(), r, eo.maskDir, eo.batch); err != nil {
			return err
		}
	}
	if eo.save != "" {
		if err := saveSummary(eo.save, s); err != nil {
			return err
		}
	}
	if eo.asJSON {
		err = json.NewEncoder(c.OutOrStdout()).Encode(evalJSON{Summary: s, SeenInTraining: r.seen, Skipped: len(r.set.Failures), pixelFigures: px})
	} else {
		err = printEval(c.OutOrStdout(), r, s, px)
	}
	if err != nil {
		return err
	}
	return reportSkipped(c.ErrOrStderr(), r.set.Failures, len(r.ds.Items), eo.skipBad)
}

// saveSummary writes the metrics as indented JSON to path.
func saveSummary(path string, s *metrics.Summary) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, append(data, '\n'))
}

// printEval writes eval's table, and the pixel figures under it.
func printEval(w io.Writer, r *labelled, s *metrics.Summary, px *pixelFigures) error {
	fmt.Fprintf(w, "%d images, %d labels\n", len(r.set.Names), len(r.b.Labels))
	if err := s.WriteTable(w); err != nil {
		return err
	}
	if px != nil {
		px.write(w, r.b.Labels)
	}
	return nil
}

// evalJSON is eval's JSON output: the metrics, with how many images of the
// set the model was trained or validated on (null when the bundle does not
// record its split) and how many could not be decoded.
type evalJSON struct {
	*metrics.Summary
	SeenInTraining *int `json:"seen_in_training"`
	Skipped        int  `json:"skipped"`
	*pixelFigures
}

// labelled is a classifier scored on a labelled set.
type labelled struct {
	p   *predict.Predictor
	b   *bundle.Bundle
	ds  *dataset.Dataset
	set *predict.Set
	// seen counts the scored images the model was trained or validated on;
	// nil when the bundle does not record its split.
	seen *int
}

// scoreLabelled loads a classifier and scores the labelled set the data
// flags describe, read with the model's vocabulary. It names on stderr the
// images that could not be decoded, and warns when the model has seen some
// of the set.
func scoreLabelled(ctx context.Context, model string, df *dataFlags, batch int, tta bool, stderr io.Writer) (*labelled, error) {
	if model == "" {
		return nil, usagef("--model MODEL.mlb is required")
	}
	p, err := predict.Open(model)
	if err != nil {
		return nil, err
	}
	b := p.Bundle()
	df.defaultToTestSplit(model, stderr)
	ds, err := df.load(b.Labels)
	if err != nil {
		return nil, err
	}
	if passes := p.SetTTA(tta); passes > 1 {
		fmt.Fprintf(stderr, "test-time augmentation: %d forward passes per image\n", passes)
	}
	set, err := p.ScoreSet(ctx, ds, predict.BatchOptions{Batch: batch})
	if err != nil {
		return nil, err
	}
	r := &labelled{p: p, b: b, ds: ds, set: set}
	if len(set.Names) == 0 {
		reportSkipped(stderr, set.Failures, len(ds.Items), true)
		return nil, fmt.Errorf("none of the %d images of %s could be decoded", len(ds.Items), ds.Source)
	}
	if b.Split != nil {
		n := 0
		for _, s := range predict.Seen(b.Split, set.Names, set.Hashes) {
			if s {
				n++
			}
		}
		r.seen = &n
	}
	if w := r.overlap(); w != "" {
		fmt.Fprintln(stderr, "warning:", w)
	}
	return r, nil
}

// overlap is the warning that the model has seen some of the scored images,
// or "" when it has seen none of them.
func (r *labelled) overlap() string {
	if r.seen == nil || *r.seen == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d images were used to train or validate this model; these figures are optimistic", *r.seen, len(r.set.Names))
}

// summarizeWithRules computes the metrics of a bundle's decisions on a
// scored set: its rule's decisions as predict makes them (thresholds after
// any calibration, then the label structure), or a 0.5 threshold for a
// bundle without rules.
func summarizeWithRules(b *bundle.Bundle, truth, scores [][]float64, mask [][]bool) (*metrics.Summary, error) {
	r := predict.Rules(b)
	return metrics.SummarizeDecisions(b.Labels, truth, scores, mask, r.Apply(scores), r.Thresholds())
}
