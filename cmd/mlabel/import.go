package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"mlabel/bundle"
	"mlabel/darknet"
	"mlabel/imageio"
	"mlabel/nn"
	"mlabel/onnx"
	"mlabel/tensor"
)

func init() { commands = append(commands, newImportCmd) }

func newImportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "import",
		Short: "Import a pretrained model (ONNX or Darknet) as an mlabel bundle",
		Long:  "import converts a pretrained network into an mlabel bundle, to use as a backbone for 'mlabel train --backbone' or, for a YOLO detector, with 'mlabel detect'.",
		Args:  wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			return usagef("%s: name a format: onnx or darknet (see '%s --help')", c.CommandPath(), c.CommandPath())
		},
	}
	c.AddCommand(newImportONNXCmd(), newImportDarknetCmd())
	return c
}

// importSummary is what an import prints.
type importSummary struct {
	Out     string   `json:"out"`
	Kind    string   `json:"kind"`
	Arch    string   `json:"arch"`
	Nodes   int      `json:"nodes"`
	Params  int      `json:"params"`
	Input   []int    `json:"input"`
	Outputs []string `json:"outputs"`
	Cut     string   `json:"last_feature_map,omitempty"`
}

func newImportONNXCmd() *cobra.Command {
	var out string
	var asJSON, keepSoftmax bool
	var size int
	c := &cobra.Command{
		Use:   "onnx MODEL.onnx --out backbone.mlb",
		Short: "Import an ONNX model (ONNX Model Zoo, PyTorch export) as a backbone",
		Long: "onnx imports an ONNX image model as a backbone bundle with ImageNet preprocessing (centre crop, ImageNet mean and standard deviation). " +
			"A Softmax at the output is dropped so that the model returns logits; --keep-softmax makes it an error instead.",
		Args: wrapArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			if out == "" {
				return usagef("%s: --out is required", c.CommandPath())
			}
			opt := onnx.Options{StripSoftmax: !keepSoftmax}
			if size > 0 {
				opt.InputShape = []int{3, size, size}
			}
			spec, w, err := onnx.Import(args[0], opt)
			if err != nil {
				return fmt.Errorf("import onnx: %w", err)
			}
			in, _ := spec.InputNode()
			pre := imageio.DefaultPreprocess(inputSize(in))
			b := &bundle.Bundle{Header: bundle.Header{Kind: bundle.KindBackbone, Arch: "onnx:" + baseName(args[0]), Spec: spec, Preprocess: pre}, Weights: w}
			return saveImport(c, b, out, asJSON)
		},
	}
	c.Flags().StringVar(&out, "out", "", "bundle to write (required)")
	c.Flags().IntVar(&size, "size", 0, "input height and width, for models that leave them symbolic")
	c.Flags().BoolVar(&keepSoftmax, "keep-softmax", false, "fail on an output Softmax instead of dropping it")
	c.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return c
}

func newImportDarknetCmd() *cobra.Command {
	var out string
	var asJSON bool
	c := &cobra.Command{
		Use:   "darknet CFG WEIGHTS --out model.mlb",
		Short: "Import a Darknet model (.cfg and .weights), such as YOLO",
		Long: "darknet imports a Darknet network. A model with [yolo] or [region] layers becomes a detector bundle for 'mlabel detect'; " +
			"any Darknet bundle can also serve as a backbone for 'mlabel train --backbone' (with --backbone-at naming the layer to cut at, such as leaky_12). " +
			"Inputs are RGB in [0, 1], as Darknet expects.",
		Args: wrapArgs(cobra.ExactArgs(2)),
		RunE: func(c *cobra.Command, args []string) error {
			if out == "" {
				return usagef("%s: --out is required", c.CommandPath())
			}
			spec, w, meta, err := darknet.Import(args[0], args[1])
			if err != nil {
				return fmt.Errorf("import darknet: %w", err)
			}
			extra, err := json.Marshal(meta)
			if err != nil {
				return fmt.Errorf("import darknet: encode metadata: %w", err)
			}
			kind := bundle.KindBackbone
			if len(meta.Heads) > 0 {
				kind = bundle.KindDetector
			}
			pre := imageio.Preprocess{Size: meta.Width, Mode: imageio.ModeSquash, Std: [3]float32{1, 1, 1}}
			b := &bundle.Bundle{Header: bundle.Header{Kind: kind, Arch: "darknet:" + baseName(args[0]), Spec: spec, Preprocess: pre, Extra: extra}, Weights: w}
			return saveImport(c, b, out, asJSON)
		},
	}
	c.Flags().StringVar(&out, "out", "", "bundle to write (required)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return c
}

// saveImport writes an imported bundle and prints what it holds.
func saveImport(c *cobra.Command, b *bundle.Bundle, out string, asJSON bool) error {
	if err := b.Save(out); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	in, _ := b.Spec.InputNode()
	s := importSummary{Out: out, Kind: string(b.Kind), Arch: b.Arch, Nodes: len(b.Spec.Nodes), Params: countParams(b.Weights), Input: in.Attrs.Shape, Outputs: b.Spec.Outputs}
	if at, err := nn.LastFeatureMap(b.Spec); err == nil {
		s.Cut = at
	}
	w := c.OutOrStdout()
	if asJSON {
		return json.NewEncoder(w).Encode(s)
	}
	fmt.Fprintf(w, "wrote %s: %s %s, %d nodes, %d parameters, input %v, outputs %s\n",
		out, s.Kind, s.Arch, s.Nodes, s.Params, s.Input, strings.Join(s.Outputs, ", "))
	if s.Cut != "" {
		fmt.Fprintf(w, "last feature map (default --backbone-at): %s\n", s.Cut)
	} else {
		fmt.Fprintf(w, "no global pooling: as a backbone, name the node to cut at with '%s train --backbone-at NODE' (Darknet nodes: conv_N, leaky_N, maxpool_N for layer N)\n", self)
	}
	return nil
}

// countParams returns the number of scalars in a weights map.
func countParams(w map[string]*tensor.Tensor) int {
	n := 0
	for _, t := range w {
		n += len(t.Data)
	}
	return n
}

// inputSize returns the height of an input node's [H, W, C] shape, or 224
// when it is unknown.
func inputSize(in nn.Node) int {
	if s := in.Attrs.Shape; len(s) == 3 && s[0] > 0 {
		return s[0]
	}
	return 224
}

// baseName returns a file's name without directory and extension.
func baseName(path string) string {
	b := filepath.Base(path)
	return strings.TrimSuffix(b, filepath.Ext(b))
}
