package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"mlabel/atomicfile"
	"mlabel/report"
)

func init() { commands = append(commands, newReportCmd) }

func newReportCmd() *cobra.Command {
	var (
		df      dataFlags
		model   string
		out     string
		batch   int
		skipBad bool
		tta     bool
	)
	c := &cobra.Command{
		Use:   "report --model MODEL.mlb [--csv FILE [--images DIR] | --folders DIR] --out report.html",
		Short: "Write a self-contained HTML report card of a model on a labelled set",
		Long: `Report predicts a labelled set with a model and writes one HTML file with
a summary card (model, data, split sizes, view, decision rule), the metrics
table with a definition of each metric, a gallery of each label's worst
errors (highest-scoring false positives, lowest-scoring false negatives) and
the most-confused label pairs, a per-label table (support, AP, threshold and its bootstrap
interval, precision, recall, F), a confusion matrix per label, precision-recall
curves and reliability diagrams, the training curves stored in the bundle, and
warnings (too few positives, a label never predicted, a threshold at the edge,
images the model was trained or validated on, images that could not be
decoded).
Use a set the thresholds were not fitted on: with neither --csv nor
--folders, the set is the test split train wrote beside the bundle
(MODEL.test.csv).`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			if model == "" || out == "" {
				return usagef("--model and --out are required")
			}
			r, err := scoreLabelled(context.Background(), model, &df, batch, tta, c.ErrOrStderr())
			if err != nil {
				return err
			}
			in := reportInput(model, r)
			b, set := r.b, r.set
			if err := atomicfile.Write(out, func(w io.Writer) error { return report.Write(w, in) }); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "wrote %s (%d images, %d labels)\n", out, len(set.Names), len(b.Labels))
			return reportSkipped(c.ErrOrStderr(), set.Failures, len(r.ds.Items), skipBad)
		},
	}
	df.register(c.Flags())
	c.Flags().StringVar(&model, "model", "", "model bundle")
	c.Flags().StringVar(&out, "out", "", "HTML file to write")
	c.Flags().IntVar(&batch, "batch", 32, "images per forward pass")
	c.Flags().BoolVar(&tta, "tta", false, ttaUsage)
	c.Flags().BoolVar(&skipBad, "skip-bad", false, "exit 0 even when some images could not be decoded (they are still named on stderr and in the report)")
	return c
}

// sentence capitalises s and ends it with a full stop, for the report page.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// reportInput gathers what the report shows of a model scored on a
// labelled set: the set, the rule, the model and data summary, the image
// paths for the gallery, the warnings and the training curve.
func reportInput(model string, r *labelled) report.Input {
	b, set := r.b, r.set
	set.Labels = b.Labels
	in := report.Input{
		Title: fmt.Sprintf("mlabel report: %s on %s", model, r.ds.Source),
		Set:   set.Set, Rules: b.Rules,
		About: report.About{Model: model, Arch: b.Arch, Data: r.ds.Source, View: b.View},
	}
	for _, i := range set.Index {
		in.Paths = append(in.Paths, r.ds.Items[i].Path)
	}
	if sp := b.Split; sp != nil {
		in.About.Splits = []report.SplitSize{{Name: "train", Images: len(sp.Train)}, {Name: "validation", Images: len(sp.Val)}}
		if len(sp.Test) > 0 {
			in.About.Splits = append(in.About.Splits, report.SplitSize{Name: "test", Images: len(sp.Test)})
		}
	}
	if w := r.overlap(); w != "" {
		in.Warnings = append(in.Warnings, sentence(w))
	}
	if n := len(set.Failures); n > 0 {
		in.Warnings = append(in.Warnings, fmt.Sprintf("%d of %d images could not be decoded and are left out.", n, len(r.ds.Items)))
	}
	for _, e := range b.History {
		ep := report.Epoch{Epoch: e.Epoch, TrainLoss: e.TrainLoss, ValLoss: e.ValLoss, ValMAP: e.ValMAP, ValF2: e.ValF2}
		if e.Unvalidated {
			ep.ValLoss, ep.ValMAP, ep.ValF2 = math.NaN(), math.NaN(), math.NaN()
		}
		in.Training = append(in.Training, ep)
	}
	return in
}
