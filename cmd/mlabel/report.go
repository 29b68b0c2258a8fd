package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"mlabel/atomicfile"
	"mlabel/report"
)

func init() { commands = append(commands, newReportCmd) }

func newReportCmd() *cobra.Command {
	var (
		df    dataFlags
		model string
		out   string
		batch int
	)
	c := &cobra.Command{
		Use:   "report --model MODEL.mlb (--csv FILE --images DIR | --folders DIR) --out report.html",
		Short: "Write a self-contained HTML report card of a model on a labelled set",
		Long: `Report predicts a labelled set with a model and writes one HTML file with
the metrics table, a per-label table (support, AP, threshold and its bootstrap
interval, precision, recall, F), a confusion matrix per label, precision-recall
curves and reliability diagrams, the training curves stored in the bundle, and
warnings (too few positives, a label never predicted, a threshold at the edge).
Use a set the thresholds were not fitted on.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			if model == "" || out == "" {
				return usagef("--model and --out are required")
			}
			b, ds, outs, err := predictLabelled(model, &df, batch)
			if err != nil {
				return err
			}
			outs.Labels = b.Labels
			in := report.Input{
				Title: fmt.Sprintf("mlabel report: %s on %s", model, ds.Source),
				Set:   *outs, Rules: b.Rules,
			}
			for _, e := range b.History {
				in.Training = append(in.Training, report.Epoch{Epoch: e.Epoch, TrainLoss: e.TrainLoss, ValLoss: e.ValLoss, ValMAP: e.ValMAP, ValF2: e.ValF2})
			}
			if err := atomicfile.Write(out, func(w io.Writer) error { return report.Write(w, in) }); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "wrote %s (%d images, %d labels)\n", out, len(outs.Names), len(b.Labels))
			return nil
		},
	}
	df.register(c.Flags())
	c.Flags().StringVar(&model, "model", "", "model bundle")
	c.Flags().StringVar(&out, "out", "", "HTML file to write")
	c.Flags().IntVar(&batch, "batch", 32, "images per forward pass")
	return c
}
