package main

import (
	"encoding/json"
	"fmt"
	"image/png"
	"io"

	"github.com/spf13/cobra"

	"mlabel/atomicfile"
	"mlabel/bundle"
	"mlabel/darknet"
	"mlabel/detect"
	"mlabel/imageio"
)

func init() { commands = append(commands, newDetectCmd) }

// detectResult is the JSON form of one image's detections.
type detectResult struct {
	Image string       `json:"image"`
	Boxes []detect.Box `json:"boxes"`
}

func newDetectCmd() *cobra.Command {
	var model, pngOut string
	var asJSON, stretch bool
	opts := detect.DefaultOptions()
	c := &cobra.Command{
		Use:   "detect --model yolo.mlb IMAGE",
		Short: "Detect objects with an imported YOLO model",
		Long:  "detect runs a detector bundle made by 'mlabel import darknet' on an image and prints each box (left, top, right, bottom in pixels), its label and its score. --png draws the boxes.",
		Args:  wrapArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			if model == "" {
				return usagef("%s: --model is required", c.CommandPath())
			}
			if opts.Thresh < 0 || opts.Thresh > 1 || opts.NMS < 0 || opts.NMS > 1 {
				return usagef("%s: --thresh and --nms must lie in [0, 1]", c.CommandPath())
			}
			opts.Letterbox = !stretch
			boxes, err := runDetect(model, args[0], pngOut, opts)
			if err != nil {
				return err
			}
			w := c.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(detectResult{Image: args[0], Boxes: boxes})
			}
			for _, b := range boxes {
				fmt.Fprintf(w, "%-14s %.3f  %4.0f %4.0f %4.0f %4.0f\n", b.Label, b.Score, b.X0, b.Y0, b.X1, b.Y1)
			}
			if len(boxes) == 0 {
				fmt.Fprintf(w, "no box scores %g or more\n", opts.Thresh)
			}
			return nil
		},
	}
	c.Flags().StringVar(&model, "model", "", "detector bundle (required)")
	c.Flags().StringVar(&pngOut, "png", "", "write the image with the boxes drawn to this PNG file")
	c.Flags().BoolVar(&asJSON, "json", false, "print the boxes as JSON")
	c.Flags().Float64Var(&opts.Thresh, "thresh", opts.Thresh, "least score of a box")
	c.Flags().Float64Var(&opts.NMS, "nms", opts.NMS, "IoU above which a weaker box of the same class is dropped (0 disables)")
	c.Flags().BoolVar(&stretch, "stretch", false, "stretch the image to the network input instead of letterboxing it")
	return c
}

// runDetect loads a detector bundle, detects objects in the image at path
// and, when pngOut is set, writes the image with its boxes drawn.
func runDetect(model, path, pngOut string, opts detect.Options) ([]detect.Box, error) {
	b, err := bundle.Load(model)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	if b.Kind != bundle.KindDetector {
		return nil, fmt.Errorf("detect: %s is a %s bundle, not a detector (import one with '%s import darknet')", model, b.Kind, self)
	}
	var meta darknet.Meta
	if err := json.Unmarshal(b.Extra, &meta); err != nil {
		return nil, fmt.Errorf("detect: %s: detector metadata: %w", model, err)
	}
	if len(b.Labels) > 0 {
		opts.Names = b.Labels
	}
	m, err := b.Model()
	if err != nil {
		return nil, fmt.Errorf("detect: %s: %w", model, err)
	}
	img, err := imageio.DecodeFile(path, imageio.DefaultMaxPixels)
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	boxes, err := detect.Detect(m, &meta, img, opts)
	if err != nil {
		return nil, fmt.Errorf("detect: %s: %w", path, err)
	}
	if pngOut != "" {
		drawn := detect.Draw(img, boxes)
		if err := atomicfile.Write(pngOut, func(w io.Writer) error { return png.Encode(w, drawn) }); err != nil {
			return nil, fmt.Errorf("detect: write %s: %w", pngOut, err)
		}
	}
	return boxes, nil
}
