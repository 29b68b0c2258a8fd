package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/predict"
	"mlabel/workflow"
)

func init() { commands = append(commands, newPredictCmd) }

func newPredictCmd() *cobra.Command {
	var (
		model   string
		format  string
		asJSON  bool
		batch   int
		tiles   int
		overlap float64
	)
	c := &cobra.Command{
		Use:   "predict --model MODEL.mlb PATH...",
		Short: "Predict the labels of images (files or folders) with a model's fitted thresholds",
		Args:  wrapArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			if model == "" {
				return usagef("--model MODEL.mlb is required")
			}
			if asJSON {
				format = "json"
			}
			if format != "table" && format != "json" && format != "csv" && format != "scores" {
				return usagef("--format must be table, json, csv or scores, got %q", format)
			}
			b, err := loadClassifier(model)
			if err != nil {
				return err
			}
			var preds []predict.Prediction
			if tiles > 0 {
				preds, err = predictTiled(b, args, tiles, overlap)
			} else {
				preds, err = predictFiles(context.Background(), b, args, batch)
			}
			if err != nil {
				return err
			}
			return writePredictions(c.OutOrStdout(), preds, b.Labels, format)
		},
	}
	c.Flags().StringVar(&model, "model", "", "model bundle")
	c.Flags().StringVar(&format, "format", "table", "output: table, json, csv (a Planet-style submission: image_name,tags) or scores (image,<label>... probabilities, for mlabel metrics and decide)")
	c.Flags().BoolVar(&asJSON, "json", false, "same as --format json")
	c.Flags().IntVar(&batch, "batch", 32, "images per forward pass")
	c.Flags().IntVar(&tiles, "tiles", 0, "for large images: cut each into a grid of TILES×TILES overlapping tiles and max-pool their scores (0: whole image)")
	c.Flags().Float64Var(&overlap, "tile-overlap", 0.25, "overlap of neighbouring tiles, as a fraction of a tile")
	return c
}

// predictTiled predicts each image from its tiles, max-pooling their scores.
func predictTiled(b *bundle.Bundle, paths []string, grid int, overlap float64) ([]predict.Prediction, error) {
	files, err := dataset.ImageFiles(paths, nil)
	if err != nil {
		return nil, err
	}
	p, err := predict.New(b)
	if err != nil {
		return nil, err
	}
	var preds []predict.Prediction
	for _, f := range files {
		img, err := imageio.DecodeFile(f, b.Preprocess.MaxPixels)
		if err != nil {
			return nil, err
		}
		pr, err := p.Tiled(f, img, grid, overlap)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		preds = append(preds, pr)
	}
	return preds, nil
}

// loadClassifier loads a bundle and checks that it can classify.
func loadClassifier(path string) (*bundle.Bundle, error) {
	b, err := bundle.Load(path)
	if err != nil {
		return nil, err
	}
	if err := predict.Check(b); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// predictFiles runs the bundle on the images found under paths and applies
// its decision rules.
func predictFiles(ctx context.Context, b *bundle.Bundle, paths []string, batch int) ([]predict.Prediction, error) {
	files, err := dataset.ImageFiles(paths, nil)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no image files found in %s", strings.Join(paths, ", "))
	}
	m, err := b.InferenceModel()
	if err != nil {
		return nil, err
	}
	outs, err := workflow.Predict(ctx, m, dataset.Unlabelled(files, b.Labels), b.Preprocess, batch)
	if err != nil {
		return nil, err
	}
	return predict.Decide(b, outs.Names, outs.Scores), nil
}

// writePredictions prints predictions as a table, JSON or a submission CSV.
func writePredictions(w io.Writer, preds []predict.Prediction, labels []string, format string) error {
	switch format {
	case "json":
		return json.NewEncoder(w).Encode(preds)
	case "scores":
		cw := csv.NewWriter(w)
		cw.Write(append([]string{"image"}, labels...))
		for _, p := range preds {
			row := []string{p.Image}
			for _, l := range labels {
				row = append(row, strconv.FormatFloat(p.Scores[l], 'g', 8, 64))
			}
			cw.Write(row)
		}
		cw.Flush()
		return cw.Error()
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"image_name", "tags"})
		for _, p := range preds {
			tags := make([]string, len(p.Labels))
			for i, l := range p.Labels {
				tags[i] = l.Label
			}
			base := filepath.Base(p.Image)
			cw.Write([]string{strings.TrimSuffix(base, filepath.Ext(base)), strings.Join(tags, " ")})
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "image\tlabels (probability ≥ threshold)")
	for _, p := range preds {
		parts := make([]string, len(p.Labels))
		for i, l := range p.Labels {
			if l.Threshold >= 0 {
				parts[i] = fmt.Sprintf("%s %.2f≥%.2f", l.Label, l.Score, l.Threshold)
			} else {
				parts[i] = fmt.Sprintf("%s %.2f", l.Label, l.Score)
			}
		}
		if len(parts) == 0 {
			parts = []string{"(none)"}
		}
		fmt.Fprintf(tw, "%s\t%s\n", p.Image, strings.Join(parts, ", "))
	}
	return tw.Flush()
}
