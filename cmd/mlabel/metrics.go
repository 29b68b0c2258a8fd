package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"mlabel/decide"
	"mlabel/metrics"
)

func init() { commands = append(commands, newMetricsCmd) }

func newMetricsCmd() *cobra.Command {
	var (
		truth, scores, thresholds string
		asJSON                    bool
		cf                        csvFlags
	)
	c := &cobra.Command{
		Use:   "metrics --truth truth.csv --scores scores.csv [--thresholds t.json]",
		Short: "Score any model's output: multi-label metrics equal to scikit-learn's",
		Long: `Metrics reads truth.csv (a tags CSV read as train reads it: image,tags or
Planet's image_name,tags, --header, --image-column, --sep; ?tag marks an
unknown label, which counts nowhere) and scores.csv (a header
image,<label1>,<label2>,... and one probability per label, as mlabel predict
--format scores writes) and prints every metric. Image names match with or
without folders and extensions (a/b/x.jpg, x.jpg and x are one image). Without
--thresholds a score of 0.5 or more is positive; --thresholds takes a rules
file written by mlabel decide, or a JSON object {label: threshold}.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			if truth == "" || scores == "" {
				return usagef("--truth and --scores are required")
			}
			to, err := cf.truth(truth)
			if err != nil {
				return err
			}
			d, err := metrics.LoadFiles(to, scores)
			if err != nil {
				return err
			}
			var thr []float64
			if thresholds != "" {
				data, err := os.ReadFile(thresholds)
				if err != nil {
					return err
				}
				if thr, err = decide.ParseThresholds(data, d.Labels); err != nil {
					return fmt.Errorf("%s: %w", thresholds, err)
				}
			}
			s, err := metrics.Summarize(d.Labels, d.Truth, d.Scores, d.Mask, thr)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(c.OutOrStdout()).Encode(s)
			}
			return s.WriteTable(c.OutOrStdout())
		},
	}
	c.Flags().StringVar(&truth, "truth", "", "truth CSV: image,tags")
	cf.register(c.Flags())
	c.Flags().StringVar(&scores, "scores", "", "scores CSV: image,<label>...")
	c.Flags().StringVar(&thresholds, "thresholds", "", "thresholds JSON (rules from mlabel decide, or {label: threshold})")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return c
}
