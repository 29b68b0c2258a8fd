package onnx

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"google.golang.org/protobuf/proto"

	"mlabel/nn"
	"mlabel/onnx/onnxpb"
	"mlabel/tensor"
)

// forward builds m in the engine, runs it on x (ONNX layout) and returns
// every output in ONNX layout.
func forward(m *Model, x *tensor.Tensor) ([]*tensor.Tensor, error) {
	model, err := nn.Build(m.Spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return nil, err
	}
	if err := model.SetWeights(m.Weights); err != nil {
		return nil, err
	}
	in, err := m.Input.ToEngine(x)
	if err != nil {
		return nil, err
	}
	if _, err := model.Forward(in, false); err != nil {
		return nil, err
	}
	var outs []*tensor.Tensor
	for i, p := range m.Outputs {
		y, err := p.FromEngine(model.Output(i))
		if err != nil {
			return nil, err
		}
		outs = append(outs, y)
	}
	return outs, nil
}

// graphSpec describes a small test model.
type graphSpec struct {
	input   []int64 // input dims; -1 is symbolic
	nodes   []*onnxpb.NodeProto
	inits   []*onnxpb.TensorProto
	outputs []string
	opset   int64
}

func (g graphSpec) model() *onnxpb.ModelProto {
	shape := &onnxpb.TensorShapeProto{}
	for _, d := range g.input {
		dim := &onnxpb.TensorShapeProto_Dimension{}
		if d < 0 {
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "N"}
		} else {
			dim.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: d}
		}
		shape.Dim = append(shape.Dim, dim)
	}
	typ := &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
		ElemType: proto.Int32(dtFloat), Shape: shape}}}
	gp := &onnxpb.GraphProto{
		Name:        proto.String("test"),
		Node:        g.nodes,
		Initializer: g.inits,
		Input:       []*onnxpb.ValueInfoProto{{Name: proto.String("x"), Type: typ}},
	}
	for _, o := range g.outputs {
		gp.Output = append(gp.Output, &onnxpb.ValueInfoProto{Name: proto.String(o)})
	}
	opset := g.opset
	if opset == 0 {
		opset = 13
	}
	return &onnxpb.ModelProto{
		IrVersion:   proto.Int64(7),
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(opset)}},
		Graph:       gp,
	}
}

// importSpec serialises the model and imports it through the public reader.
func importSpec(t *testing.T, g graphSpec, opt Options) (*Model, error) {
	t.Helper()
	buf, err := proto.Marshal(g.model())
	if err != nil {
		t.Fatal(err)
	}
	return ReadModel(bytes.NewReader(buf), opt)
}

func node(op string, in, out []string, attrs ...*onnxpb.AttributeProto) *onnxpb.NodeProto {
	return &onnxpb.NodeProto{OpType: proto.String(op), Name: proto.String(out[0]), Input: in, Output: out, Attribute: attrs}
}

func attrInt(name string, v int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

func attrFloat(name string, v float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}

func attrInts(name string, v ...int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INTS.Enum(), Ints: v}
}

// floatInit is a float32 initializer.
func floatInit(name string, data []float32, dims ...int64) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(dtFloat), Dims: dims, FloatData: data}
}

// intInit is an int64 initializer.
func intInit(name string, data []int64, dims ...int64) *onnxpb.TensorProto {
	return &onnxpb.TensorProto{Name: proto.String(name), DataType: proto.Int32(dtInt64), Dims: dims, Int64Data: data}
}

// randTensor returns a tensor of the given shape with values in [-1, 1).
func randTensor(seed uint64, shape ...int) *tensor.Tensor {
	r := rand.New(rand.NewPCG(seed, 7))
	t := tensor.New(shape...)
	for i := range t.Data {
		t.Data[i] = float32(r.Float64()*2 - 1)
	}
	return t
}

func randData(seed uint64, n int) []float32 { return randTensor(seed, n).Data }

// assertClose fails unless got matches want within tol.
func assertClose(t *testing.T, got, want *tensor.Tensor, tol float64) {
	t.Helper()
	if msg := compareWithin(got, want, tol); msg != "" {
		t.Fatal(msg)
	}
}

func compareWithin(got, want *tensor.Tensor, tol float64) string {
	if !tensor.SameShape(got.Shape, want.Shape) {
		return fmt.Sprintf("shape %v, want %v", got.Shape, want.Shape)
	}
	for i := range want.Data {
		if d := float64(got.Data[i] - want.Data[i]); d > tol || d < -tol {
			return fmt.Sprintf("element %d is %g, want %g", i, got.Data[i], want.Data[i])
		}
	}
	return ""
}
