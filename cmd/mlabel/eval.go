package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"mlabel/atomicfile"
	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/infer"
	"mlabel/metrics"
	"mlabel/workflow"
)

func init() { commands = append(commands, newEvalCmd) }

func newEvalCmd() *cobra.Command {
	var (
		df     dataFlags
		model  string
		save   string
		asJSON bool
		batch  int
	)
	c := &cobra.Command{
		Use:   "eval --model MODEL.mlb (--csv FILE --images DIR | --folders DIR)",
		Short: "Score a model on a labelled set with its fitted thresholds",
		Long: `Eval predicts every image of a labelled set and computes the metrics
(samples, micro and macro F-beta, mAP, Hamming loss, subset accuracy, ranking
metrics) with the thresholds stored in the bundle. The set is read with the
model's label vocabulary: a label the model does not know is an error.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			b, _, outs, err := predictLabelled(model, &df, batch)
			if err != nil {
				return err
			}
			var thr []float64
			if b.Rules != nil {
				thr = b.Rules.Thresholds()
			}
			s, err := metrics.Summarize(b.Labels, outs.Truth, outs.Scores, outs.Mask, thr)
			if err != nil {
				return err
			}
			if save != "" {
				data, err := json.MarshalIndent(s, "", "  ")
				if err != nil {
					return err
				}
				if err := atomicfile.WriteBytes(save, append(data, '\n')); err != nil {
					return err
				}
			}
			if asJSON {
				return json.NewEncoder(c.OutOrStdout()).Encode(s)
			}
			fmt.Fprintf(c.OutOrStdout(), "%d images, %d labels\n", len(outs.Names), len(b.Labels))
			return s.WriteTable(c.OutOrStdout())
		},
	}
	df.register(c.Flags())
	c.Flags().StringVar(&model, "model", "", "model bundle")
	c.Flags().StringVar(&save, "save", "", "also write the metrics as JSON to this file")
	c.Flags().BoolVar(&asJSON, "json", false, "print the metrics as JSON")
	c.Flags().IntVar(&batch, "batch", 32, "images per forward pass")
	return c
}

// predictLabelled loads a classifier and predicts the labelled set the data
// flags describe, read with the model's vocabulary.
func predictLabelled(model string, df *dataFlags, batch int) (*bundle.Bundle, *dataset.Dataset, *infer.Set, error) {
	if model == "" {
		return nil, nil, nil, usagef("--model MODEL.mlb is required")
	}
	b, err := loadClassifier(model)
	if err != nil {
		return nil, nil, nil, err
	}
	ds, err := df.load(b.Labels)
	if err != nil {
		return nil, nil, nil, err
	}
	m, err := b.InferenceModel()
	if err != nil {
		return nil, nil, nil, err
	}
	outs, err := workflow.Predict(context.Background(), m, ds, b.Preprocess, batch)
	if err != nil {
		return nil, nil, nil, err
	}
	return b, ds, outs, nil
}
