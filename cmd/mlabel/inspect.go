package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"mlabel/bundle"
	"mlabel/metrics"
)

func init() { commands = append(commands, newInspectCmd) }

func newInspectCmd() *cobra.Command {
	var (
		asJSON bool
		model  string
	)
	c := &cobra.Command{
		Use:   "inspect --model MODEL.mlb  (or: inspect MODEL.mlb)",
		Short: "Print what a model bundle holds",
		Args:  wrapArgs(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			path, err := modelPath(model, args)
			if err != nil {
				return err
			}
			b, err := bundle.Load(path)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(c.OutOrStdout()).Encode(b.Header)
			}
			return printBundle(c.OutOrStdout(), path, b)
		},
	}
	c.Flags().StringVar(&model, "model", "", "model bundle (or give it as the argument)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the bundle's header as JSON")
	return c
}

// printBundle writes a human summary of a bundle.
func printBundle(w io.Writer, path string, b *bundle.Bundle) error {
	if err := printHeader(w, path, b); err != nil {
		return err
	}
	if err := printConfig(w, b); err != nil {
		return err
	}
	if err := printThresholds(w, b); err != nil {
		return err
	}
	printSplit(w, b.Split)
	printRule(w, b)
	printTileThresholds(w, b)
	printRecalibrations(w, b)
	printSegment(w, b.Segment)
	printBundleCuts(w, b)
	if b.Metrics != nil {
		fmt.Fprintln(w, "held-out metrics:")
		if err := b.Metrics.WriteTable(w); err != nil {
			return err
		}
	}
	for _, e := range b.History {
		fmt.Fprintf(w, "epoch %2d  train loss %.4f  val loss %.4f  val mAP %.4f  val F2 %.4f%s\n", e.Epoch, e.TrainLoss, e.ValLoss, e.ValMAP, e.ValF2, mIoUText(e))
	}
	return nil
}

// printHeader writes the bundle's kind, format, architecture, size,
// preprocessing and view, and checks its rule against its labels.
func printHeader(w io.Writer, path string, b *bundle.Bundle) error {
	var params int
	for _, t := range b.Weights {
		params += t.Len()
	}
	size := int64(-1)
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(w, "%s: %s bundle, format %d, created %s\n", path, b.Kind, b.FormatVersion, b.Created.Format("2006-01-02 15:04:05Z07:00"))
	fmt.Fprintf(w, "architecture: %s, %d nodes, %d weight tensors, %d values, %d bytes on disk\n", b.Arch, len(b.Spec.Nodes), len(b.Weights), params, size)
	p := b.Preprocess
	fmt.Fprintf(w, "preprocess: %d px, %s, mean %v, std %v\n", p.Size, p.Mode, p.Mean, p.Std)
	// The rule's label count comes from the file: check it before the
	// thresholds are made from it.
	if r := b.Rules; r != nil {
		if err := r.Check(len(b.Labels)); err != nil {
			return fmt.Errorf("%s: decision rules: %w", path, err)
		}
	}
	if b.View != "" {
		fmt.Fprintf(w, "view: %s\n", b.View)
	}
	return nil
}

// printSplit writes how many images of each split the bundle records.
func printSplit(w io.Writer, sp *bundle.Split) {
	if sp == nil {
		return
	}
	how := "by name"
	if len(sp.Train) > 0 && sp.Train[0].SHA256 != "" {
		how = "by name and SHA-256"
	}
	fmt.Fprintf(w, "split: %d train, %d validation, %d test images, recorded %s\n", len(sp.Train), len(sp.Val), len(sp.Test), how)
}

// printRule writes the decision rule, its label structure and the
// recalibration reference.
func printRule(w io.Writer, b *bundle.Bundle) {
	if r := b.Rules; r != nil {
		fit := ""
		if r.Beta > 0 && r.Objective != "" {
			fit = fmt.Sprintf(", fitted for %s F%g", r.Objective, r.Beta)
		}
		fmt.Fprintf(w, "decision rule: %s%s (global threshold %.3f)\n", r.Kind, fit, r.Global)
		if s := r.Structure; !s.Empty() {
			fmt.Fprintf(w, "label structure: %s\n", s)
		}
	}
	if b.Reference != nil {
		split := b.Reference.Split
		if split == "" {
			split = "validation"
		}
		fmt.Fprintf(w, "reference for recalibration: %d %s images\n", b.Reference.Images, split)
	}
}

// modelPath returns the bundle a command reads: --model, or the one
// positional argument of the older form.
func modelPath(flag string, args []string) (string, error) {
	switch {
	case flag != "" && len(args) > 0:
		return "", usagef("give the model as --model or as the argument, not both")
	case flag != "":
		return flag, nil
	case len(args) == 1:
		return args[0], nil
	}
	return "", usagef("--model MODEL.mlb is required")
}

// printConfig prints the bundle's training configuration under the flags'
// names.
func printConfig(w io.Writer, b *bundle.Bundle) error {
	if len(b.Config) > 0 {
		fields, err := flatConfig(b.Config)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "training config:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, f := range fields {
			fmt.Fprintf(tw, "  %s\t%s\n", f[0], f[1])
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// printThresholds prints each label's threshold, interval and flags.
func printThresholds(w io.Writer, b *bundle.Bundle) error {
	if len(b.Labels) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "label\tthreshold\t90% interval\tflag")
		rules := b.Rules
		var thr []float64
		if rules != nil {
			thr = rules.Thresholds()
		}
		for j, l := range b.Labels {
			t, iv, flag := "-", "-", ""
			if j < len(thr) {
				t = fmt.Sprintf("%.3f", thr[j])
			}
			if rules != nil && j < len(rules.Intervals) {
				iv = fmt.Sprintf("[%.3f, %.3f]", rules.Intervals[j].Low, rules.Intervals[j].High)
			}
			if rules != nil && j < len(rules.Shrunk) && rules.Shrunk[j] {
				flag = "few positives: shrunk toward the global threshold"
			}
			if rules != nil {
				if note := rules.IntervalNote(j); note != "" {
					flag = strings.TrimPrefix(flag+"; "+note, "; ")
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l, t, iv, flag)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// printRecalibrations prints the recalibrations applied to the bundle.
func printRecalibrations(w io.Writer, b *bundle.Bundle) {
	for _, r := range b.Recalibrations {
		fmt.Fprintf(w, "recalibrated %s on %d images of %s (batch %.12s): thresholds re-fitted to the estimated prevalences; the held-out metrics below are from training\n",
			r.Created.Format("2006-01-02 15:04:05Z07:00"), r.Batch.Images, r.Batch.Source, r.Batch.SHA256)
		for j, l := range r.Labels {
			if j < len(r.Train) && j < len(r.Estimated) && j < len(r.Old) && j < len(r.New) {
				kept := ""
				if j < len(r.Kept) && r.Kept[j] != "" {
					kept = " (kept: " + r.Kept[j] + ")"
				}
				fmt.Fprintf(w, "  %s: prevalence %.3f → %.3f, threshold %.3f → %.3f%s\n", l, r.Train[j], r.Estimated[j], r.Old[j], r.New[j], kept)
			}
		}
	}
}

// printTileThresholds prints the thresholds fitted for tiled prediction,
// when the bundle has them.
func printTileThresholds(w io.Writer, b *bundle.Bundle) {
	t := b.Tiles
	if t == nil || t.Rules == nil {
		return
	}
	fmt.Fprintf(w, "tile thresholds: for predict --tiles %d --tile-overlap %g, fitted on the max-pooled tile scores of %d validation images:\n", t.Grid, t.Overlap, t.Images)
	var parts []string
	for j, l := range b.Labels {
		if j < len(t.Rules.PerClass) {
			parts = append(parts, fmt.Sprintf("%s %.3f", l, t.Rules.PerClass[j]))
		}
	}
	fmt.Fprintf(w, "  %s\n", strings.Join(parts, ", "))
}

// printSegment prints a segmenter's pixel threshold and held-out IoUs.
func printSegment(w io.Writer, sg *metrics.Segmentation) {
	if sg == nil {
		return
	}
	if len(sg.PixelThresholds) == len(sg.Labels) && len(sg.Labels) > 0 {
		parts := make([]string, len(sg.Labels))
		for j, l := range sg.Labels {
			parts[j] = fmt.Sprintf("%s %g", l, sg.PixelThresholds[j])
		}
		fmt.Fprintf(w, "segmentation: a pixel shows a label above its probability threshold, fitted on validation (%s); the thresholds apply to area fractions\n", strings.Join(parts, ", "))
	} else {
		fmt.Fprintf(w, "segmentation: a pixel shows a label above probability %g; the thresholds apply to area fractions\n", sg.PixelThreshold)
	}
	if sg.Scale > 0 {
		fmt.Fprintf(w, "scale: the network sees windows of the image reduced by %d (image pixels per network pixel), in training and prediction\n", sg.Scale)
	}
	fmt.Fprintf(w, "held-out pixel IoU: miou_macro %.4f\n", sg.MIoU)
	for j, l := range sg.Labels {
		if j < len(sg.IoU) {
			fmt.Fprintf(w, "  %-20s %.4f\n", l, sg.IoU[j])
		}
	}
}
