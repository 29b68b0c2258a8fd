package main

import (
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"mlabel/atomicfile"
	"mlabel/cam"
	"mlabel/infer"
	"mlabel/predict"
)

func init() { commands = append(commands, newCAMCmd) }

// camOptions are the flags of the cam command.
type camOptions struct {
	model, label, out string
	view              int
}

func newCAMCmd() *cobra.Command {
	opts := &camOptions{}
	c := &cobra.Command{
		Use:   "cam --model MODEL.mlb [--label L] [--out DIR] IMAGE...",
		Short: "Class-activation heatmaps: where in each image the evidence for a label lies",
		Long: `Cam draws, for each image, the image as the network sees it, a heat map of
the evidence for each predicted label (or for --label; the top-scoring label
when none is predicted) over it, and a colour bar, side by side with their
labels and scores, into one PNG per image in --out named IMAGE.png. The maps
of an image share the bar's scale. It needs a network that ends in global
average pooling and a dense layer, as every mlabel architecture does.`,
		Args: wrapArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error { return runCAM(c, args, opts) },
	}
	c.Flags().StringVar(&opts.model, "model", "", "classifier bundle")
	c.Flags().StringVar(&opts.label, "label", "", "draw this label's map (default: each predicted label)")
	c.Flags().StringVar(&opts.out, "out", "cam", "folder for the PNG files")
	c.Flags().IntVar(&opts.view, "view", 256, "side in pixels of the drawn images")
	return c
}

// runCAM runs the cam command.
func runCAM(c *cobra.Command, args []string, opts *camOptions) error {
	if opts.model == "" {
		return usagef("--model MODEL.mlb is required")
	}
	p, err := predict.Open(opts.model)
	if err != nil {
		return err
	}
	b := p.Bundle()
	j := -1
	if opts.label != "" {
		if j = slices.Index(b.Labels, opts.label); j < 0 {
			return fmt.Errorf("%s has no label %q (labels: %s)", opts.model, opts.label, strings.Join(b.Labels, ", "))
		}
	}
	if err := p.CanMap(); err != nil {
		return err
	}
	if err := os.MkdirAll(opts.out, 0o755); err != nil {
		return err
	}
	r := camRun{p: p, label: j, opts: opts}
	w := c.OutOrStdout()
	for _, path := range args {
		if err := r.draw(w, path); err != nil {
			return err
		}
	}
	return nil
}

// camRun holds what drawing one image's maps needs.
type camRun struct {
	p     *predict.Predictor
	label int // the --label's index, or -1 for the predicted labels
	opts  *camOptions
}

// draw writes the panel of one image and prints a line per drawn label.
func (r camRun) draw(w io.Writer, path string) error {
	b, pre := r.p.Bundle(), r.p.Preprocess()
	pix, err := pre.LoadPixels(path)
	if err != nil {
		return err
	}
	logits, maps, gh, gw, err := r.p.Maps(pre.Normalized(pix))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	scores := make([]float64, len(logits))
	for i, v := range logits {
		scores[i] = infer.Sigmoid(float64(v))
	}
	pred := predict.Decide(b, []string{path}, [][]float64{scores})[0]
	var predicted []string
	for _, l := range pred.Labels {
		predicted = append(predicted, l.Label)
	}
	chosen, fallback := cam.Choose(b.Labels, predicted, scores, r.label)
	note := ""
	if fallback {
		note = "\t(no label above its threshold: the top-scoring label; use --label for another)"
	}
	seen, err := cam.RGB(pre.ViewRGB(pix), pre.Size, r.opts.view)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	ms := make([]cam.Map, len(chosen))
	for i, k := range chosen {
		ms[i] = cam.Map{Label: b.Labels[k], Score: scores[k], Values: maps[k]}
	}
	panel, err := cam.Panel(seen, filepath.Base(path), ms, gh, gw, 0.5)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	dst := filepath.Join(r.opts.out, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))+".png")
	if err := atomicfile.Write(dst, func(w io.Writer) error { return png.Encode(w, panel) }); err != nil {
		return err
	}
	for _, k := range chosen {
		py, px := cam.Peak(maps[k], gw)
		fmt.Fprintf(w, "%s\t%s\t%.3f\tpeak at (%.2f, %.2f) of the image\t%s%s\n", path, b.Labels[k], scores[k],
			(float64(px)+0.5)/float64(gw), (float64(py)+0.5)/float64(gh), dst, note)
	}
	return nil
}
