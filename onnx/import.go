package onnx

import (
	"fmt"
	"io"
	"os"

	"google.golang.org/protobuf/proto"

	"mlabel/nn"
	"mlabel/onnx/onnxpb"
	"mlabel/tensor"
)

// Options tune Import.
type Options struct {
	// StripSoftmax drops a Softmax that produces a graph output, so that the
	// model returns logits. The engine has no softmax (mlabel heads use
	// sigmoid), so without this option such a Softmax is an error.
	StripSoftmax bool
	// InputShape gives the input's dimensions, batch excluded, in the ONNX
	// model's own order (C, H, W for an image), for models that leave them
	// symbolic.
	InputShape []int
	// Constants binds graph inputs to fixed values, in ONNX layout: a graph
	// input with an entry here is treated as an initializer. Exactly one
	// graph input must remain.
	Constants map[string]*tensor.Tensor
}

// Import reads the ONNX model at path and returns the engine graph and its
// parameters.
func Import(path string, opt Options) (*nn.Spec, map[string]*tensor.Tensor, error) {
	m, err := ReadModelFile(path, opt)
	if err != nil {
		return nil, nil, err
	}
	return m.Spec, m.Weights, nil
}

// ReadModelFile reads and imports the ONNX model at path.
func ReadModelFile(path string, opt Options) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	defer f.Close()
	return ReadModel(f, opt)
}

// ImportReader is Import for a model read from r.
func ImportReader(r io.Reader, opt Options) (*nn.Spec, map[string]*tensor.Tensor, error) {
	m, err := ReadModel(r, opt)
	if err != nil {
		return nil, nil, err
	}
	return m.Spec, m.Weights, nil
}

// Model is an imported ONNX model together with what is needed to feed it
// inputs and read its outputs in ONNX layout.
type Model struct {
	Spec    *nn.Spec                  // the engine graph
	Weights map[string]*tensor.Tensor // parameters by "<node>.<param>"
	Input   Port                      // the single graph input
	Outputs []Port                    // the graph outputs, in ONNX order
}

// Port describes a graph input or output.
type Port struct {
	Name  string // the ONNX value name
	Shape []int  // the ONNX shape, batch first (-1 when symbolic)
	// Layout is how the engine tensor relates to the ONNX tensor: "nchw"
	// for a 4-D ONNX tensor that the engine holds as NHWC, "raw" for one
	// that the engine holds in ONNX order, possibly with unit dimensions
	// added or removed (an [N,F] input is fed as [N,1,1,F], an [N,C,1,1]
	// output comes back as [N,C]).
	Layout string
	engine []int // the engine's shape, batch excluded
}

// ReadModel reads and imports an ONNX model from r.
func ReadModel(r io.Reader, opt Options) (*Model, error) {
	buf, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("onnx: reading model: %w", err)
	}
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(buf, &mp); err != nil {
		return nil, fmt.Errorf("onnx: decoding model: %w", err)
	}
	m, err := importModel(&mp, opt)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	return m, nil
}

// nodeLabel names a node in errors: by its name, or by its first output
// when it has none.
func nodeLabel(n *onnxpb.NodeProto) string {
	if n.GetName() == "" && len(n.GetOutput()) > 0 {
		return fmt.Sprintf("node with output %q (%s)", n.GetOutput()[0], n.GetOpType())
	}
	return fmt.Sprintf("node %q (%s)", n.GetName(), n.GetOpType())
}

// opsetVersion returns the version of the default ONNX operator set.
func opsetVersion(mp *onnxpb.ModelProto) int {
	for _, o := range mp.GetOpsetImport() {
		if o.GetDomain() == "" || o.GetDomain() == "ai.onnx" {
			return int(o.GetVersion())
		}
	}
	return 1
}

func importModel(mp *onnxpb.ModelProto, opt Options) (*Model, error) {
	g := mp.GetGraph()
	if g == nil {
		return nil, fmt.Errorf("model has no graph")
	}
	b := newBuilder(opsetVersion(mp), opt)
	for _, init := range g.GetInitializer() {
		k, err := konstFromProto(init)
		if err != nil {
			return nil, fmt.Errorf("initializer: %w", err)
		}
		b.vals[init.GetName()] = &value{k: k}
	}
	if err := b.addInputs(g); err != nil {
		return nil, err
	}
	b.countUses(g)
	for i, n := range g.GetNode() {
		if err := b.node(i, n); err != nil {
			return nil, fmt.Errorf("%s: %w", nodeLabel(n), err)
		}
	}
	if err := b.addOutputs(g); err != nil {
		return nil, err
	}
	if err := b.spec.Validate(); err != nil {
		return nil, fmt.Errorf("imported graph: %w", err)
	}
	return &Model{Spec: &b.spec, Weights: b.weights, Input: b.input, Outputs: b.outputs}, nil
}
