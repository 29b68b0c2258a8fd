package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"mlabel/bundle"
	"mlabel/onnx"
	"mlabel/tensor"
)

func init() { commands = append(commands, newForwardCmd) }

// forwardOutput describes one array forward wrote.
type forwardOutput struct {
	Node  string `json:"node"`
	Path  string `json:"path"`
	Shape []int  `json:"shape"`
}

func newForwardCmd() *cobra.Command {
	var model, input, output, layout string
	var asJSON bool
	c := &cobra.Command{
		Use:   "forward --model m.mlb --input x.npy --out y.npy",
		Short: "Run a raw forward pass on a NumPy array",
		Long: "forward runs a bundle's network in evaluation mode on a float32 .npy batch, without preprocessing, and writes the raw outputs (logits) as .npy, " +
			"so that an imported model can be compared with other runtimes. With --layout nchw (the default, as in PyTorch and ONNX) 4-D inputs and outputs are NCHW; " +
			"with nhwc they are in the engine's own layout. A model with several outputs writes the k-th one (k ≥ 1) next to --out as NAME_k.npy.",
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			switch {
			case model == "" || input == "" || output == "":
				return usagef("%s: --model, --input and --out are required", c.CommandPath())
			case layout != "nchw" && layout != "nhwc":
				return usagef("%s: --layout must be nchw or nhwc, got %q", c.CommandPath(), layout)
			}
			outs, err := runForward(model, input, output, layout == "nchw")
			if err != nil {
				return err
			}
			w := c.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(outs)
			}
			for _, o := range outs {
				fmt.Fprintf(w, "%s %v -> %s\n", o.Node, o.Shape, o.Path)
			}
			return nil
		},
	}
	c.Flags().StringVar(&model, "model", "", "model bundle (required)")
	c.Flags().StringVar(&input, "input", "", "input .npy float32 array, batch first (required)")
	outFlag(c, &output, "", "output .npy file (required)", "output")
	c.Flags().StringVar(&layout, "layout", "nchw", "layout of 4-D arrays: nchw or nhwc")
	c.Flags().BoolVar(&asJSON, "json", false, "print the outputs written as JSON")
	return c
}

// runForward runs the model in bundle path model on the array in input and
// writes each output; nchw converts 4-D arrays from and to NCHW.
func runForward(model, input, output string, nchw bool) ([]forwardOutput, error) {
	b, err := bundle.Load(model)
	if err != nil {
		return nil, fmt.Errorf("forward: %w", err)
	}
	m, err := b.Model()
	if err != nil {
		return nil, fmt.Errorf("forward: %s: %w", model, err)
	}
	x, err := onnx.ReadNPY(input)
	if err != nil {
		return nil, fmt.Errorf("forward: %w", err)
	}
	if nchw && len(x.Shape) == 4 {
		if x, err = onnx.ToNHWC(x); err != nil {
			return nil, fmt.Errorf("forward: %s: %w", input, err)
		}
	}
	if _, err := m.Forward(x, false); err != nil {
		return nil, fmt.Errorf("forward: %s on %s (shape %v): %w", model, input, x.Shape, err)
	}
	var outs []forwardOutput
	for k, node := range b.Spec.Outputs {
		y := m.Output(k)
		if nchw && len(y.Shape) == 4 {
			if y, err = onnx.ToNCHW(y); err != nil {
				return nil, fmt.Errorf("forward: output %s: %w", node, err)
			}
		}
		path := outputPath(output, k)
		if err := onnx.WriteNPY(path, y); err != nil {
			return nil, fmt.Errorf("forward: %w", err)
		}
		outs = append(outs, forwardOutput{Node: node, Path: path, Shape: shapeOf(y)})
	}
	return outs, nil
}

// outputPath returns where output k is written: the path itself for the
// first output, and NAME_k.npy beside it for the others.
func outputPath(path string, k int) string {
	if k == 0 {
		return path
	}
	ext := filepath.Ext(path)
	return fmt.Sprintf("%s_%d%s", strings.TrimSuffix(path, ext), k, ext)
}

// shapeOf returns a copy of t's shape.
func shapeOf(t *tensor.Tensor) []int { return append([]int(nil), t.Shape...) }
