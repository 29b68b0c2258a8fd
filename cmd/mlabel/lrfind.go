package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"mlabel/atomicfile"
	"mlabel/report"
	"mlabel/train"
)

func init() { commands = append(commands, newLRFindCmd) }

func newLRFindCmd() *cobra.Command {
	var (
		df     dataFlags
		tf     trainFlags
		o      = train.LRFindOptions{MinLR: 1e-6, MaxLR: 1, Steps: 100, Smoothing: 0.98}
		plotTo string
		asJSON bool
	)
	c := &cobra.Command{
		Use:   "lr-find (--csv FILE --images DIR | --folders DIR) [--plot lr.png]",
		Short: "Sweep the learning rate and plot the loss against it, to choose --lr",
		Long: `lr-find trains a fresh model for a few steps while the learning rate grows
geometrically from --min-lr to --max-lr, and plots the smoothed loss against
the rate. A good --lr for train is near the suggested one, where the loss falls
fastest, well before it climbs.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			wo, err := tf.options()
			if err != nil {
				return err
			}
			ds, err := df.load(nil)
			if err != nil {
				return err
			}
			wo.Preprocess.Size = wo.Train.Size
			pts, best, err := train.LRFind(context.Background(), wo.Train, train.Data{Train: ds, Preprocess: wo.Preprocess}, o)
			if err != nil {
				return err
			}
			if plotTo != "" {
				curve := report.LRCurve{Suggested: best}
				for _, p := range pts {
					curve.LR = append(curve.LR, p.LR)
					curve.Loss = append(curve.Loss, p.Smoothed)
				}
				if err := atomicfile.Write(plotTo, func(w io.Writer) error { return report.WriteLRPlot(w, curve) }); err != nil {
					return err
				}
			}
			if asJSON {
				return json.NewEncoder(c.OutOrStdout()).Encode(map[string]any{"suggested_lr": best, "points": pts, "plot": plotTo})
			}
			fmt.Fprintf(c.OutOrStdout(), "%d steps from %.2g to %.2g; suggested learning rate %.2g\n", len(pts), pts[0].LR, pts[len(pts)-1].LR, best)
			if plotTo != "" {
				fmt.Fprintf(c.OutOrStdout(), "wrote %s\n", plotTo)
			}
			return nil
		},
	}
	df.register(c.Flags())
	tf.register(c.Flags())
	c.Flags().Float64Var(&o.MinLR, "min-lr", o.MinLR, "first learning rate")
	c.Flags().Float64Var(&o.MaxLR, "max-lr", o.MaxLR, "last learning rate")
	c.Flags().IntVar(&o.Steps, "steps", o.Steps, "number of steps")
	c.Flags().StringVar(&plotTo, "plot", "lr-find.png", "PNG plot to write (empty: none)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the points and suggestion as JSON")
	return c
}
