// Package detect runs YOLO object detectors imported from Darknet: it
// prepares an image, runs the model, decodes the YOLOv3 ([yolo]) and YOLOv2
// ([region]) heads, suppresses overlapping boxes per class and draws the
// result.
package detect

import (
	"fmt"
	"image"
	"sort"

	"mlabel/darknet"
	"mlabel/nn"
)

// Box is one detection, in pixels of the original image.
type Box struct {
	X0, Y0, X1, Y1 float64 // left, top, right, bottom
	Class          int     // class index
	Label          string  // class name, or "class N" beyond the known names
	Score          float64 // objectness × class probability
}

// Options tunes detection. DefaultOptions gives Darknet's test defaults.
type Options struct {
	Thresh    float64  // minimum score of a box
	NMS       float64  // IoU above which a weaker box of the same class is dropped; 0 disables NMS
	Letterbox bool     // keep the aspect ratio, padding with grey, as Darknet's detector does
	Names     []string // class names; nil means COCO
}

// DefaultOptions returns score threshold 0.5, NMS IoU 0.45, letterboxing
// and the COCO names.
func DefaultOptions() Options {
	return Options{Thresh: 0.5, NMS: 0.45, Letterbox: true}
}

// run detects objects in img with Darknet's defaults and score threshold
// thresh. The model must be built from the spec that darknet.Import
// returned with meta.
func run(model *nn.Model, meta *darknet.Meta, img image.Image, thresh float64) ([]Box, error) {
	opts := DefaultOptions()
	opts.Thresh = thresh
	return Detect(model, meta, img, opts)
}

// Detect detects objects in img. Boxes come sorted by decreasing score.
func Detect(model *nn.Model, meta *darknet.Meta, img image.Image, opts Options) ([]Box, error) {
	if model == nil || meta == nil || img == nil {
		return nil, fmt.Errorf("detect: model, meta and image must not be nil")
	}
	if len(meta.Heads) == 0 {
		return nil, fmt.Errorf("detect: the model has no detection heads")
	}
	if meta.Channels != 3 {
		return nil, fmt.Errorf("detect: the model takes %d channels, want 3 (RGB)", meta.Channels)
	}
	x, place := prepare(img, meta.Width, meta.Height, opts.Letterbox)
	if _, err := model.Forward(x, false); err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	var cands []candidate
	for _, h := range meta.Heads {
		out := model.Activation(h.Output)
		if out == nil {
			return nil, fmt.Errorf("detect: the model has no node %q for the %s head of layer %d", h.Output, h.Kind, h.Layer)
		}
		c, err := decode(out, h, meta.Width, meta.Height, opts.Thresh)
		if err != nil {
			return nil, fmt.Errorf("detect: %w", err)
		}
		cands = append(cands, c...)
	}
	names := opts.Names
	if names == nil {
		names = COCO
	}
	boxes := suppress(cands, opts.NMS)
	for i := range boxes {
		place.toImage(&boxes[i])
		boxes[i].Label = label(names, boxes[i].Class)
	}
	sort.SliceStable(boxes, func(i, j int) bool { return boxes[i].Score > boxes[j].Score })
	return boxes, nil
}

func label(names []string, c int) string {
	if c < len(names) {
		return names[c]
	}
	return fmt.Sprintf("class %d", c)
}

// candidate is a decoded box before suppression, in network-input
// fractions: centre (x, y) and size (w, h).
type candidate struct {
	x, y, w, h float64
	class      int
	score      float64
}
