// Package darknet imports Darknet models: a .cfg file describing the
// network and a .weights file holding its parameters become an nn.Spec, a
// map of parameter tensors and a Meta that describes the detection heads.
//
// Supported sections: [net], [convolutional] (with batch_normalize and the
// activations leaky, linear, relu, logistic, swish), [maxpool] (including
// size 2 stride 1, which Darknet pads on the right and bottom to keep the
// size), [route], [shortcut], [upsample], [yolo] and [region]. Anything else,
// and any option that would change the computation in a way the importer
// does not reproduce, is an error naming the section and line.
//
// Node names carry the Darknet layer index: "conv_3", "bn_3", "leaky_3",
// "maxpool_4", "route_20", "add_7", "upsample_18".
package darknet

import (
	"fmt"
	"io"
	"os"

	"mlabel/nn"
	"mlabel/tensor"
)

// Meta describes an imported model beyond its graph.
type Meta struct {
	Width, Height, Channels int   // network input size from [net]
	Major, Minor, Revision  int   // .weights format version
	Seen                    int64 // images seen in training
	Heads                   []Head
	// Layers names, for each Darknet layer in cfg order (the [net]
	// section excluded), the spec node holding its output.
	Layers []string
}

// Head is one detection head: a [yolo] or [region] layer and the spec
// output that feeds it. The output has shape [N, H, W, A*(5+Classes)]; for
// anchor a, channels a*(5+Classes) onwards hold tx, ty, tw, th, objectness
// and the class scores, all as raw logits.
type Head struct {
	Kind    string // "yolo" (YOLOv3) or "region" (YOLOv2)
	Layer   int    // Darknet layer index
	Output  string // spec output node
	GridH   int    // rows of the output
	GridW   int    // columns of the output
	Classes int
	// Anchors holds the width and height of each of the head's anchors: in
	// pixels of the network input for yolo, in grid cells for region.
	Anchors [][2]float64
	// Softmax reports that class scores go through a softmax (region) rather
	// than one sigmoid each (yolo).
	Softmax bool
}

// Import reads a Darknet model from a .cfg and a .weights file.
func Import(cfgPath, weightsPath string) (*nn.Spec, map[string]*tensor.Tensor, *Meta, error) {
	cf, err := os.Open(cfgPath)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("darknet: %w", err)
	}
	defer cf.Close()
	wf, err := os.Open(weightsPath)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("darknet: %w", err)
	}
	defer wf.Close()
	spec, w, meta, err := Read(cf, wf)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("darknet %s: %w", cfgPath, err)
	}
	return spec, w, meta, nil
}

// Read reads a Darknet model from a cfg and a weights stream. weights may be
// nil: Read then returns the spec and meta alone, with a nil weights map.
// The weights stream must hold exactly the parameters the cfg needs.
func Read(cfg, weights io.Reader) (*nn.Spec, map[string]*tensor.Tensor, *Meta, error) {
	secs, err := parseCfg(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	b := &builder{spec: &nn.Spec{}, meta: &Meta{}}
	if weights != nil {
		b.w = newWeightsReader(weights)
		b.weights = map[string]*tensor.Tensor{}
		m := b.meta
		if m.Major, m.Minor, m.Revision, m.Seen, err = b.w.header(); err != nil {
			return nil, nil, nil, err
		}
	}
	if err := b.build(secs); err != nil {
		return nil, nil, nil, err
	}
	if b.w != nil {
		extra, err := b.w.rest()
		if err != nil {
			return nil, nil, nil, err
		}
		if extra != 0 {
			return nil, nil, nil, fmt.Errorf("weights file has %d bytes beyond what the cfg needs: does it belong to this cfg?", extra)
		}
	}
	return b.spec, b.weights, b.meta, nil
}
