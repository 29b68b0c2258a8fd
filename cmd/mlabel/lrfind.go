package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"mlabel/atomicfile"
	"mlabel/report"
	"mlabel/train"
)

func init() { commands = append(commands, newLRFindCmd) }

// lrFindOptions are lr-find's flags.
type lrFindOptions struct {
	df     dataFlags
	tf     trainFlags
	o      train.LRFindOptions
	plotTo string
	asJSON bool
}

func newLRFindCmd() *cobra.Command {
	lo := &lrFindOptions{o: train.LRFindOptions{MinLR: 1e-6, MaxLR: 1, Steps: 100, Smoothing: 0.98}}
	c := &cobra.Command{
		Use:   "lr-find (--csv FILE --images DIR | --folders DIR) [--out lr.png]",
		Short: "Sweep the learning rate and plot the loss against it, to choose --lr",
		Long: `lr-find trains a fresh model for a few steps while the learning rate grows
geometrically from --min-lr to --max-lr, and plots the smoothed loss against
the rate. A good --lr for train is near the suggested one, where the loss falls
fastest, well before it climbs.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error { return runLRFind(c, lo) },
	}
	lo.df.register(c.Flags())
	lo.tf.register(c.Flags())
	c.Flags().Float64Var(&lo.o.MinLR, "min-lr", lo.o.MinLR, "first learning rate")
	c.Flags().Float64Var(&lo.o.MaxLR, "max-lr", lo.o.MaxLR, "last learning rate")
	c.Flags().IntVar(&lo.o.Steps, "steps", lo.o.Steps, "number of steps")
	outFlag(c, &lo.plotTo, "lr-find.png", "PNG plot to write (empty: none)", "plot")
	c.Flags().BoolVar(&lo.asJSON, "json", false, "print the points and suggestion as JSON")
	// The sweep trains a few steps at growing rates: it uses no schedule,
	// epochs, splits, early stopping or thresholds, and the rate is swept.
	for _, name := range lrFindIgnores {
		c.Flags().MarkHidden(name)
	}
	return c
}

// runLRFind sweeps the learning rate, plots the curve and prints the
// suggestion.
func runLRFind(c *cobra.Command, lo *lrFindOptions) error {
	wo, err := lo.tf.options()
	if err != nil {
		return err
	}
	ds, err := lo.df.load(nil)
	if err != nil {
		return err
	}
	wo.Preprocess.Size = wo.Train.Size
	pts, best, err := train.LRFind(context.Background(), wo.Train, train.Data{Train: ds, Preprocess: wo.Preprocess}, lo.o)
	if err != nil {
		return err
	}
	if lo.plotTo != "" {
		if err := writeLRPlot(lo.plotTo, pts, best); err != nil {
			return err
		}
	}
	if lo.asJSON {
		return json.NewEncoder(c.OutOrStdout()).Encode(map[string]any{"suggested_lr": best, "points": pts, "plot": lo.plotTo})
	}
	w := c.OutOrStdout()
	fmt.Fprintf(w, "%d steps from %.2g to %.2g; suggested learning rate %.2g\n", len(pts), pts[0].LR, pts[len(pts)-1].LR, best)
	if lo.plotTo != "" {
		fmt.Fprintf(w, "wrote %s\n", lo.plotTo)
	}
	fmt.Fprintf(w, "\nsuggested: --lr %.2g; train with\n  %s\n", best, trainCommand(c.Flags(), best))
	return nil
}

// writeLRPlot writes the smoothed loss against the rate, with the
// suggested rate marked, as a PNG to path.
func writeLRPlot(path string, pts []train.LRPoint, best float64) error {
	curve := report.LRCurve{Suggested: best}
	for _, p := range pts {
		curve.LR = append(curve.LR, p.LR)
		curve.Loss = append(curve.Loss, p.Smoothed)
	}
	return atomicfile.Write(path, func(w io.Writer) error { return report.WriteLRPlot(w, curve) })
}

// lrFindIgnores are the training flags lr-find accepts, so that a train
// command line can be reused, but does not use.
var lrFindIgnores = []string{"lr", "epochs", "schedule", "patience", "refit", "refit-to-best", "refit-from", "val", "test", "beta", "min-positives", "unfreeze", "fine-tune-epochs"}

// lrFindOnly are lr-find's own flags, left out of the train command it
// suggests.
var lrFindOnly = map[string]bool{"lr": true, "min-lr": true, "max-lr": true, "steps": true, "out": true, "plot": true, "json": true}

// trainCommand is the train command line with the flags given to lr-find
// and the suggested learning rate.
func trainCommand(fs *pflag.FlagSet, lr float64) string {
	args := []string{self, "train"}
	data := map[string]bool{"csv": true, "images": true, "folders": true}
	var flags []*pflag.Flag
	fs.Visit(func(f *pflag.Flag) {
		if data[f.Name] {
			flags = append(flags, f) // the data first
		}
	})
	fs.Visit(func(f *pflag.Flag) {
		if !data[f.Name] {
			flags = append(flags, f)
		}
	})
	for _, f := range flags {
		if lrFindOnly[f.Name] {
			continue
		}
		v := f.Value.String()
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			v = strings.Join(sv.GetSlice(), ",")
		}
		if f.NoOptDefVal != "" {
			// A flag that may stand alone takes its value after "=".
			args = append(args, "--"+f.Name+"="+shellQuote(v))
			continue
		}
		args = append(args, "--"+f.Name, shellQuote(v))
	}
	args = append(args, "--lr", fmt.Sprintf("%.2g", lr), "--out", "MODEL.mlb")
	return strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./,:=+-@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
