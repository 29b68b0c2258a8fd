package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"mlabel/atomicfile"
	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/predict"
)

func init() { commands = append(commands, newPredictCmd) }

// predictOptions are predict's flags.
type predictOptions struct {
	model   string
	format  string
	asJSON  bool
	batch   int
	tiles   int
	overlap float64
	skipBad bool
	tta     bool
	tagSep  string
	shards  shardFlags
	seg     segmentFlags
}

func newPredictCmd() *cobra.Command {
	po := &predictOptions{}
	c := &cobra.Command{
		Use:   "predict --model MODEL.mlb PATH...",
		Short: "Predict the labels of images (files or folders) with a model's fitted thresholds",
		Long: `Predict runs a model on image files and on the images found in folders, and
prints the labels each image's scores reach with the model's fitted
thresholds. An image that cannot be read or decoded is named on stderr and
skipped; the others are predicted. The exit code is then 1, or 0 with
--skip-bad.`,
		Args: wrapArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error { return runPredict(c, po, args) },
	}
	po.register(c)
	return c
}

// register adds predict's flags to c.
func (po *predictOptions) register(c *cobra.Command) {
	c.Flags().StringVar(&po.model, "model", "", "model bundle")
	c.Flags().StringVar(&po.format, "format", "table", "output: table, json, csv (a Planet-style submission: image_name,tags), scores (image,<label>... probabilities, for mlabel metrics and decide) or geojson (each tile's labels on its footprint in lon/lat, and each image's hectares per label, for a GIS)")
	c.Flags().BoolVar(&po.asJSON, "json", false, "same as --format json")
	c.Flags().StringVar(&po.tagSep, "tag-sep", "", "separator between the tags of --format csv (default: a space), for labels that hold spaces")
	c.Flags().IntVar(&po.batch, "batch", 32, "images per forward pass")
	c.Flags().IntVar(&po.tiles, "tiles", 0, "for large images of any size: cut each into a grid of TILES×TILES overlapping tiles, max-pool their scores and decide with the thresholds train --tiles fitted for that grid; a segmenter max-pools its tiles' area fractions for its area thresholds and stitches their masks, its areas those of the whole image (0: whole image)")
	c.Flags().Float64Var(&po.overlap, "tile-overlap", 0.25, "overlap of neighbouring tiles, as a fraction of a tile")
	c.Flags().BoolVar(&po.skipBad, "skip-bad", false, "exit 0 even when some images could not be read (they are still named on stderr)")
	c.Flags().BoolVar(&po.tta, "tta", false, ttaUsage)
	po.shards.register(c)
	po.seg.register(c)
}

// batchOptions are the batch options predict's flags give.
func (po *predictOptions) batchOptions() predict.BatchOptions {
	return predict.BatchOptions{Batch: po.batch, Tiles: po.tiles, Overlap: po.overlap}
}

// runPredict predicts the images of the files and folders args.
func runPredict(c *cobra.Command, po *predictOptions, args []string) error {
	if po.model == "" {
		return usagef("--model MODEL.mlb is required")
	}
	if po.asJSON {
		po.format = "json"
	}
	if !slices.Contains(predictFormats, po.format) {
		return usagef("--format must be table, json, csv, scores or geojson, got %q", po.format)
	}
	fileOut := formatOut(&po.shards, po.format, c.Flags().Changed("format"))
	if err := po.shards.check(po.format, c.Flags().Changed("format") || po.asJSON); err != nil {
		return err
	}
	p, err := predict.Open(po.model)
	if err != nil {
		return err
	}
	files, err := imageFiles(args)
	if err != nil {
		return err
	}
	if p.Segmenter() || po.seg.set(c) {
		if err := segmentUsage(po.shards.set() || fileOut != ""); err != nil {
			return err
		}
		if passes := p.SetTTA(po.tta); passes > 1 {
			fmt.Fprintf(c.ErrOrStderr(), "test-time augmentation: %d forward passes per tile, the probability maps averaged\n", passes)
		}
		return runSegmentPredict(c, p, files, po.format, po.tagSep, po.batchOptions(), po.skipBad, po.seg)
	}
	return runClassifierPredict(c, po, p, files, fileOut)
}

// runClassifierPredict predicts files with a classifier, writing to
// fileOut, or to stdout when it is "".
func runClassifierPredict(c *cobra.Command, po *predictOptions, p *predict.Predictor, files []string, fileOut string) error {
	b := p.Bundle()
	if po.tiles > 0 {
		warnTileRules(c.ErrOrStderr(), b, imageio.Grid{N: po.tiles, Overlap: po.overlap})
	}
	files, err := po.shards.selectFiles(files)
	if err != nil {
		return err
	}
	o := po.batchOptions()
	if po.format == "geojson" {
		return runMapPredict(c, p, files, fileOut, o, po.tta, po.skipBad)
	}
	if po.shards.out != "" {
		return po.shards.predictToFile(context.Background(), c.ErrOrStderr(), p, files, o, po.tta, po.skipBad)
	}
	preds, fails, err := predictFiles(context.Background(), p, files, o, po.tta)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error { return writePredictions(w, preds, b.Labels, po.format, po.tagSep) }
	if err := writeOutput(c.OutOrStdout(), fileOut, write); err != nil {
		return err
	}
	return reportSkipped(c.ErrOrStderr(), fails, len(files), po.skipBad)
}

// predictFormats are predict's --format values.
var predictFormats = []string{"table", "json", "csv", "scores", "geojson"}

// ttaUsage describes the --tta flag of predict, eval, report and serve.
const ttaUsage = "test-time augmentation: average each image's scores over the transforms that fit the model's view (8 dihedral ones for overhead imagery, 2 flips for ground photos), at that many forward passes"

// warnTileRules warns on w when the bundle has no thresholds fitted for
// tiles of grid g, so that the whole-image ones decide.
func warnTileRules(w io.Writer, b *bundle.Bundle, g imageio.Grid) {
	_, err := predict.TileRules(b, g)
	if err == nil {
		return
	}
	hint := "train with --tiles to fit thresholds for tiles"
	if t := b.Tiles; t != nil {
		hint = fmt.Sprintf("predict with --tiles %d --tile-overlap %g to use the model's tile thresholds", t.Grid, t.Overlap)
	}
	fmt.Fprintf(w, "mlabel: warning: %s; they run low on max-pooled tile scores (%s)\n", strings.TrimPrefix(err.Error(), "predict: "), hint)
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

// imageFiles lists the image files of paths (files, or folders searched
// recursively).
func imageFiles(paths []string) ([]string, error) {
	files, err := dataset.ImageFiles(paths, nil)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no image files found in %s", strings.Join(paths, ", "))
	}
	return files, nil
}

// predictFiles runs the predictor on image files, with test-time
// augmentation or not, and applies its decision rules; images that cannot
// be read come back as failures.
func predictFiles(ctx context.Context, p *predict.Predictor, files []string, o predict.BatchOptions, tta bool) ([]predict.Prediction, []predict.Failure, error) {
	p.SetTTA(tta)
	return p.Files(ctx, files, o)
}

// reportSkipped names on w each image that could not be read. When there
// are any it returns an error (exit 1), or with skipBad says how many were
// skipped and returns nil.
func reportSkipped(w io.Writer, fails []predict.Failure, total int, skipBad bool) error {
	for _, f := range fails {
		fmt.Fprintf(w, "mlabel: skipped %v\n", f)
	}
	if len(fails) == 0 {
		return nil
	}
	msg := fmt.Sprintf("skipped %d of %d images that could not be read", len(fails), total)
	if skipBad {
		fmt.Fprintln(w, "mlabel:", msg)
		return nil
	}
	return errors.New(msg)
}

// formatOut takes --out from the shard flags when a format other than
// JSON was asked for and no shard or resume: predict then writes that
// format to the file, as it would to stdout. It returns the file, or ""
// when --out, if any, is the shards' JSON Lines.
func formatOut(s *shardFlags, format string, formatSet bool) string {
	if s.out == "" || !formatSet || format == "json" || s.shard != "" || s.shards != 0 || s.resume {
		return ""
	}
	out := s.out
	s.out = ""
	return out
}

// writeOutput writes with write to the file out, atomically, or to w when
// out is "".
func writeOutput(w io.Writer, out string, write func(io.Writer) error) error {
	if out == "" {
		return write(w)
	}
	return atomicfile.Write(out, write)
}

// segmentUsage refuses the options a segmenter does not predict with.
func segmentUsage(sharded bool) error {
	if sharded {
		return usagef("a segmenter's predictions are not sharded yet: drop --shard, --shards and --out")
	}
	return nil
}

// writePredictions prints predictions as a table, JSON or a submission CSV,
// whose tags are separated by tagSep (a space when empty); a CSV cell that
// starts like a spreadsheet formula gets a leading apostrophe.
func writePredictions(w io.Writer, preds []predict.Prediction, labels []string, format, tagSep string) error {
	switch format {
	case "json":
		return json.NewEncoder(w).Encode(preds)
	case "scores":
		cw := csv.NewWriter(w)
		header := []string{"image"}
		for _, l := range labels {
			header = append(header, dataset.CSVField(l))
		}
		cw.Write(header)
		for _, p := range preds {
			row := []string{dataset.CSVField(p.Image)}
			for _, l := range labels {
				row = append(row, strconv.FormatFloat(p.Scores[l], 'g', -1, 64))
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
			field, err := dataset.FormatTags(tags, nil, tagSep)
			if err != nil {
				return fmt.Errorf("%s: %w (give --tag-sep)", p.Image, err)
			}
			base := filepath.Base(p.Image)
			cw.Write([]string{dataset.CSVField(strings.TrimSuffix(base, filepath.Ext(base))), dataset.CSVField(field)})
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
