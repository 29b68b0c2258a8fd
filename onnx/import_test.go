package onnx

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"mlabel/nn"
	"mlabel/onnx/onnxpb"
	"mlabel/tensor"
)

// gemmRef computes x·Wᵀ + b for x [N,K] (any shape, flattened per sample in
// ONNX order) and W [M,K].
func gemmRef(x *tensor.Tensor, w, b []float32, m int) *tensor.Tensor {
	n := x.Shape[0]
	k := len(x.Data) / n
	y := tensor.New(n, m)
	for i := range n {
		for o := range m {
			s := float64(b[o])
			for f := range k {
				s += float64(x.Data[i*k+f]) * float64(w[o*k+f])
			}
			y.Data[i*m+o] = float32(s)
		}
	}
	return y
}

// flattenToGemm builds x [N,3,4,5] → (flatten) → Gemm with W [7,60] and b [7].
func flattenToGemm(flatten []*onnxpb.NodeProto, inits []*onnxpb.TensorProto, input []int64) graphSpec {
	w, b := randData(3, 7*60), randData(4, 7)
	return graphSpec{
		input:   input,
		nodes:   append(flatten, node("Gemm", []string{"flat", "W", "B"}, []string{"y"}, attrInt("transB", 1))),
		inits:   append(inits, floatInit("W", w, 7, 60), floatInit("B", b, 7)),
		outputs: []string{"y"},
	}
}

// TestFlattenOrder checks that every way exporters flatten an NCHW feature
// map feeds a dense layer or an output in ONNX's C, H, W order.
func TestFlattenOrder(t *testing.T) {
	x := randTensor(1, 2, 3, 4, 5)
	w, b := randData(3, 7*60), randData(4, 7)
	gemmWant := gemmRef(x, w, b, 7)
	flatWant, _ := x.Clone().Reshape(2, 60)
	idiom := []*onnxpb.NodeProto{
		node("Shape", []string{"x"}, []string{"s"}),
		node("Gather", []string{"s", "zero"}, []string{"n"}, attrInt("axis", 0)),
		node("Unsqueeze", []string{"n", "axes0"}, []string{"n1"}),
		node("Concat", []string{"n1", "minus1"}, []string{"shape"}, attrInt("axis", 0)),
		node("Reshape", []string{"x", "shape"}, []string{"flat"}),
	}
	idiomInits := []*onnxpb.TensorProto{intInit("zero", []int64{0}), intInit("axes0", []int64{0}, 1), intInit("minus1", []int64{-1}, 1)}
	tests := []struct {
		name string
		g    graphSpec
		want *tensor.Tensor
	}{
		{"Flatten then Gemm", flattenToGemm([]*onnxpb.NodeProto{node("Flatten", []string{"x"}, []string{"flat"})}, nil, []int64{2, 3, 4, 5}), gemmWant},
		{"Shape-Gather-Unsqueeze-Concat-Reshape, symbolic batch", flattenToGemm(idiom, idiomInits, []int64{-1, 3, 4, 5}), gemmWant},
		{"Reshape to constant [0,-1]", flattenToGemm([]*onnxpb.NodeProto{node("Reshape", []string{"x", "shape"}, []string{"flat"})},
			[]*onnxpb.TensorProto{intInit("shape", []int64{0, -1}, 2)}, []int64{2, 3, 4, 5}), gemmWant},
		{"Flatten as output", graphSpec{input: []int64{2, 3, 4, 5}, nodes: []*onnxpb.NodeProto{
			node("Flatten", []string{"x"}, []string{"y"})}, outputs: []string{"y"}}, flatWant},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := importSpec(t, tc.g, Options{})
			if err != nil {
				t.Fatal(err)
			}
			outs, err := forward(m, x)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, outs[0], tc.want, 1e-5)
		})
	}
}

// countOps counts the spec's nodes of each op.
func countOps(s *nn.Spec) map[nn.Op]int {
	n := map[nn.Op]int{}
	for _, nd := range s.Nodes {
		n[nd.Op]++
	}
	return n
}

// TestPadFoldsIntoConv checks that a zero Pad before a Conv becomes the
// convolution's own padding, with the same result as ONNX pads.
func TestPadFoldsIntoConv(t *testing.T) {
	w := randData(5, 4*3*3*3)
	conv := func(in string, attrs ...*onnxpb.AttributeProto) *onnxpb.NodeProto {
		return node("Conv", []string{in, "W"}, []string{"y"}, attrs...)
	}
	padded := graphSpec{input: []int64{1, 3, 6, 7}, nodes: []*onnxpb.NodeProto{
		node("Pad", []string{"x", "pads"}, []string{"p"}), conv("p", attrInts("pads", 0, 1, 0, 1))},
		inits:   []*onnxpb.TensorProto{floatInit("W", w, 4, 3, 3, 3), intInit("pads", []int64{0, 0, 1, 0, 0, 0, 2, 0}, 8)},
		outputs: []string{"y"}}
	direct := graphSpec{input: []int64{1, 3, 6, 7}, nodes: []*onnxpb.NodeProto{conv("x", attrInts("pads", 1, 1, 2, 1))},
		inits: []*onnxpb.TensorProto{floatInit("W", w, 4, 3, 3, 3)}, outputs: []string{"y"}}
	x := randTensor(6, 1, 3, 6, 7)
	var results []*tensor.Tensor
	for _, g := range []graphSpec{padded, direct} {
		m, err := importSpec(t, g, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n := countOps(m.Spec); n[nn.OpConv2D] != 1 || len(m.Spec.Nodes) != 2 {
			t.Fatalf("spec %+v: want the input and one convolution", m.Spec.Nodes)
		}
		if got := m.Spec.Nodes[1].Attrs.Pad; got != [4]int{1, 1, 2, 1} {
			t.Errorf("conv padding %v, want [1 1 2 1]", got)
		}
		outs, err := forward(m, x)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, outs[0])
	}
	if want := []int{1, 4, 7, 7}; !tensor.SameShape(results[0].Shape, want) {
		t.Fatalf("output shape %v, want %v", results[0].Shape, want)
	}
	assertClose(t, results[0], results[1], 1e-6)
}

// elementwise applies f to x's elements with their channel index (axis 1).
func elementwise(x *tensor.Tensor, f func(v float32, c int) float32) *tensor.Tensor {
	y := x.Clone()
	inner := tensor.Size(x.Shape[2:])
	for i, v := range x.Data {
		y.Data[i] = f(v, (i/inner)%x.Shape[1])
	}
	return y
}

// TestChannelConstants checks input normalisation by per-channel constants
// and the NHWC input of models converted from TensorFlow.
func TestChannelConstants(t *testing.T) {
	mean, std := []float32{0.5, -0.25, 0.125}, []float32{2, 4, 0.5}
	x := randTensor(8, 2, 3, 4, 5)
	norm := elementwise(x, func(v float32, c int) float32 { return max(0, (v-mean[c])/std[c]) })
	inits := []*onnxpb.TensorProto{floatInit("mean", mean, 1, 3, 1, 1), floatInit("std", std, 1, 3, 1, 1)}
	chain := func(in string) []*onnxpb.NodeProto {
		return []*onnxpb.NodeProto{
			node("Sub", []string{in, "mean"}, []string{"c"}),
			node("Div", []string{"c", "std"}, []string{"d"}),
			node("Relu", []string{"d"}, []string{"y"}),
		}
	}
	nhwc, err := ToNHWC(x)
	if err != nil {
		t.Fatal(err)
	}
	// Sub and Div by NHWC constants ([3] broadcasts on the last axis) before
	// the transpose; the Relu after it.
	scaledFirst := []*onnxpb.NodeProto{
		node("Sub", []string{"x", "mean3"}, []string{"c"}),
		node("Div", []string{"c", "std3"}, []string{"d"}),
		node("Transpose", []string{"d"}, []string{"dt"}, attrInts("perm", 0, 3, 1, 2)),
		node("Relu", []string{"dt"}, []string{"y"}),
	}
	nhwcInits := []*onnxpb.TensorProto{floatInit("mean3", mean, 3), floatInit("std3", std, 1, 1, 1, 3)}
	transposed := append([]*onnxpb.NodeProto{node("Transpose", []string{"x"}, []string{"xt"}, attrInts("perm", 0, 3, 1, 2))}, chain("xt")...)
	tests := []struct {
		name   string
		g      graphSpec
		in     *tensor.Tensor
		layout string
	}{
		{"NCHW input", graphSpec{input: []int64{-1, 3, 4, 5}, nodes: chain("x"), inits: inits, outputs: []string{"y"}}, x, "nchw"},
		{"NHWC input transposed to NCHW", graphSpec{input: []int64{-1, 4, 5, 3}, nodes: transposed, inits: inits, outputs: []string{"y"}}, nhwc, "raw"},
		{"NHWC input scaled, then transposed", graphSpec{input: []int64{-1, 4, 5, 3}, nodes: scaledFirst, inits: nhwcInits, outputs: []string{"y"}}, nhwc, "raw"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := importSpec(t, tc.g, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Input.Layout != tc.layout {
				t.Errorf("input layout %q, want %q", m.Input.Layout, tc.layout)
			}
			if n := countOps(m.Spec); n[nn.OpScaleShift] != 2 || n[nn.OpReLU] != 1 {
				t.Errorf("ops %v, want two scale_shift and a relu", n)
			}
			outs, err := forward(m, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, outs[0], norm, 1e-6)
		})
	}
}

// TestPooledHead checks a classifier head after global pooling: a 1x1
// convolution on the pooled [N,C,1,1] map and a final Softmax dropped on
// request.
func TestPooledHead(t *testing.T) {
	w, b := randData(9, 6*3), randData(10, 6)
	g := graphSpec{input: []int64{2, 3, 4, 5}, nodes: []*onnxpb.NodeProto{
		node("GlobalAveragePool", []string{"x"}, []string{"p"}),
		node("Conv", []string{"p", "W", "B"}, []string{"c"}, attrInts("kernel_shape", 1, 1)),
		node("Flatten", []string{"c"}, []string{"f"}),
		node("Softmax", []string{"f"}, []string{"y"}, attrInt("axis", 1)),
	}, inits: []*onnxpb.TensorProto{floatInit("W", w, 6, 3, 1, 1), floatInit("B", b, 6)}, outputs: []string{"y"}}
	x := randTensor(11, 2, 3, 4, 5)
	pooled := tensor.New(2, 3)
	for i, v := range x.Data {
		pooled.Data[i/20] += v / 20
	}
	want := gemmRef(pooled, w, b, 6)
	if _, err := importSpec(t, g, Options{}); err == nil || !strings.Contains(err.Error(), `node "y" (Softmax)`) {
		t.Fatalf("without StripSoftmax: error %v, want one naming the Softmax node", err)
	}
	m, err := importSpec(t, g, Options{StripSoftmax: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := countOps(m.Spec); n[nn.OpDense] != 1 || n[nn.OpConv2D] != 0 {
		t.Errorf("ops %v: the 1x1 convolution of a pooled map should be a dense layer", n)
	}
	outs, err := forward(m, x)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, outs[0], want, 1e-5)
}

// TestImportErrors checks that what the engine cannot express is an error
// naming the node and the operator.
func TestImportErrors(t *testing.T) {
	one := []*onnxpb.TensorProto{floatInit("one", []float32{1}, 1)}
	tests := []struct {
		name  string
		nodes []*onnxpb.NodeProto
		inits []*onnxpb.TensorProto
		want  string
	}{
		{"unknown operator", []*onnxpb.NodeProto{node("Tanh", []string{"x"}, []string{"y"})}, nil, `node "y" (Tanh): unsupported operator`},
		{"unknown attribute", []*onnxpb.NodeProto{node("Relu", []string{"x"}, []string{"y"}, attrInt("fancy", 1))}, nil, `node "y" (Relu): unsupported attribute ["fancy"]`},
		{"pooling attribute on a convolution", []*onnxpb.NodeProto{node("Conv", []string{"x", "W"}, []string{"y"}, attrInt("ceil_mode", 1))},
			[]*onnxpb.TensorProto{floatInit("W", make([]float32, 2*3*3*3), 2, 3, 3, 3)}, `node "y" (Conv): unsupported attribute ["ceil_mode"]`},
		{"constant over tensor", []*onnxpb.NodeProto{node("Div", []string{"one", "x"}, []string{"y"})}, one, `node "y" (Div): dividing a constant by a tensor`},
		{"unfoldable transpose", []*onnxpb.NodeProto{node("Transpose", []string{"x"}, []string{"y"}, attrInts("perm", 1, 0, 2, 3))}, nil, `node "y" (Transpose): transpose [1 0 2 3]`},
		{"dilated pooling", []*onnxpb.NodeProto{node("MaxPool", []string{"x"}, []string{"y"}, attrInts("kernel_shape", 2, 2), attrInts("dilations", 2, 2))}, nil, `node "y" (MaxPool): pooling dilations`},
		{"constant clip", []*onnxpb.NodeProto{node("Clip", []string{"x", "one", "one"}, []string{"y"})}, one, `node "y" (Clip): min equals max`},
		{"leaky alpha of wrong type", []*onnxpb.NodeProto{node("LeakyRelu", []string{"x"}, []string{"y"}, attrInt("alpha", 1))}, nil, `node "y" (LeakyRelu): attribute "alpha" has type INT`},
		{"batch-changing reshape", []*onnxpb.NodeProto{node("Flatten", []string{"x"}, []string{"y"}, attrInt("axis", 2))}, nil, `node "y" (Flatten): reshaping [1 3 4 5] to [3 20] changes the batch dimension`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := graphSpec{input: []int64{1, 3, 4, 5}, nodes: tc.nodes, inits: tc.inits, outputs: []string{"y"}}
			_, err := importSpec(t, g, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestClipForms checks the bounds Clip maps exactly: ReLU6, ReLU, and
// general bounds through affine maps around ReLU or ReLU6.
func TestClipForms(t *testing.T) {
	x := randTensor(12, 2, 3, 4, 5)
	for i := range x.Data {
		x.Data[i] *= 8
	}
	inf := float32(math.Inf(1))
	tests := []struct {
		lo, hi float32
		op     nn.Op
	}{{0, 6, nn.OpReLU6}, {0, inf, nn.OpReLU}, {-1, inf, nn.OpReLU}, {-inf, 2, nn.OpReLU}, {-2, 3, nn.OpReLU6}}
	for _, tc := range tests {
		g := graphSpec{input: []int64{2, 3, 4, 5}, nodes: []*onnxpb.NodeProto{node("Clip", []string{"x", "lo", "hi"}, []string{"y"})},
			inits: []*onnxpb.TensorProto{floatInit("lo", []float32{tc.lo}), floatInit("hi", []float32{tc.hi})}, outputs: []string{"y"}}
		m, err := importSpec(t, g, Options{})
		if err != nil {
			t.Fatalf("clip %g..%g: %v", tc.lo, tc.hi, err)
		}
		if n := countOps(m.Spec); n[tc.op] != 1 {
			t.Errorf("clip %g..%g: ops %v, want one %s", tc.lo, tc.hi, n, tc.op)
		}
		outs, err := forward(m, x)
		if err != nil {
			t.Fatal(err)
		}
		want := elementwise(x, func(v float32, _ int) float32 { return min(max(v, tc.lo), tc.hi) })
		assertClose(t, outs[0], want, 1e-5)
	}
}

// TestInputShape checks symbolic input sizes: an error asking for
// Options.InputShape, and an import once it is given.
func TestInputShape(t *testing.T) {
	g := graphSpec{input: []int64{-1, 3, -1, -1}, nodes: []*onnxpb.NodeProto{
		node("MaxPool", []string{"x"}, []string{"y"}, attrInts("kernel_shape", 2, 2), attrInts("strides", 2, 2))}, outputs: []string{"y"}}
	if _, err := importSpec(t, g, Options{}); err == nil || !strings.Contains(err.Error(), "Options.InputShape") {
		t.Fatalf("error %v, want one asking for Options.InputShape", err)
	}
	m, err := importSpec(t, g, Options{InputShape: []int{3, 8, 6}})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Spec.Nodes[0].Attrs.Shape; !tensor.SameShape(got, []int{8, 6, 3}) {
		t.Errorf("engine input shape %v, want [8 6 3]", got)
	}
	if got := m.Outputs[0].Shape; !tensor.SameShape(got, []int{-1, 3, 4, 3}) {
		t.Errorf("output shape %v, want [-1 3 4 3]", got)
	}
}

// TestReadErrors checks malformed files and graphs the engine cannot take.
func TestReadErrors(t *testing.T) {
	relu := []*onnxpb.NodeProto{node("Relu", []string{"x"}, []string{"y"})}
	two := graphSpec{input: []int64{1, 3, 4, 4}, nodes: []*onnxpb.NodeProto{node("Add", []string{"x", "z"}, []string{"y"})}, outputs: []string{"y"}}
	twoModel := two.model()
	twoModel.Graph.Input = append(twoModel.Graph.Input, &onnxpb.ValueInfoProto{Name: proto.String("z"), Type: twoModel.Graph.Input[0].Type})
	twoBytes, err := proto.Marshal(twoModel)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not protobuf", []byte("\xff\xff\xff garbage"), "decoding model"},
		{"no graph", []byte{}, "model has no graph"},
		{"two graph inputs", twoBytes, "2 non-constant inputs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ImportReader(bytes.NewReader(tc.data), Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	if _, _, err := Import("testdata/missing.onnx", Options{}); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := importSpec(t, graphSpec{input: []int64{1, 3, 4, 4}, nodes: relu, outputs: []string{"y"}}, Options{}); err != nil {
		t.Errorf("plain Relu: %v", err)
	}
}

// TestCraftedSizes checks that declared tensor sizes are checked against
// the bytes present, and computed shapes against the limits, before
// anything is allocated.
func TestCraftedSizes(t *testing.T) {
	rawInit := func(dims []int64, raw []byte) *onnxpb.TensorProto {
		return &onnxpb.TensorProto{Name: proto.String("W"), Dims: dims, DataType: proto.Int32(dtFloat), RawData: raw}
	}
	conv := []*onnxpb.NodeProto{node("Conv", []string{"x", "W"}, []string{"y"})}
	tests := []struct {
		name  string
		nodes []*onnxpb.NodeProto
		inits []*onnxpb.TensorProto
		want  string
	}{
		{"dims overflow to a small product", conv, []*onnxpb.TensorProto{rawInit([]int64{1 << 32, 1 << 32, 1, 1}, make([]byte, 16))}, "is too large"},
		{"dims larger than the raw bytes", conv, []*onnxpb.TensorProto{rawInit([]int64{2, 3, 1 << 10, 1 << 10}, make([]byte, 16))}, "its raw data holds 16 bytes"},
		{"dims larger than the typed values", conv, []*onnxpb.TensorProto{floatInit("W", []float32{1, 2}, 2, 3, 1024, 1024)}, "it holds at most 2"},
		{"too many dims", conv, []*onnxpb.TensorProto{rawInit(make([]int64, 100), nil)}, "100 dimensions"},
		{"huge constant of shape", []*onnxpb.NodeProto{node("ConstantOfShape", []string{"s"}, []string{"c"}), node("Add", []string{"x", "c"}, []string{"y"})},
			[]*onnxpb.TensorProto{intInit("s", []int64{1 << 20, 1 << 20, 1 << 20}, 3)}, "over the limit"},
		{"huge broadcast", []*onnxpb.NodeProto{node("Add", []string{"a", "b"}, []string{"c"}), node("Add", []string{"x", "c"}, []string{"y"})},
			[]*onnxpb.TensorProto{floatInit("a", make([]float32, 1<<14), 1<<14, 1), floatInit("b", make([]float32, 1<<14), 1, 1<<14)}, "over the limit of 67108864 values"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := graphSpec{input: []int64{1, 3, 4, 5}, nodes: tc.nodes, inits: tc.inits, outputs: []string{"y"}}
			_, err := importSpec(t, g, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// A graph input declared huge is refused before any layer is sized from it
// (found by fuzzing: a Gemm after a Flatten allocated a permutation of the
// declared size).
func TestHugeGraphInput(t *testing.T) {
	flat := []*onnxpb.NodeProto{node("Flatten", []string{"x"}, []string{"f"}), node("MatMul", []string{"f", "W"}, []string{"y"})}
	g := graphSpec{input: []int64{1, 3, 1 << 20, 1 << 20}, nodes: flat, inits: []*onnxpb.TensorProto{floatInit("W", make([]float32, 6), 3, 2)}, outputs: []string{"y"}}
	_, err := importSpec(t, g, Options{})
	if want := "is over the limit of 268435456 values per image"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want it to contain %q", err, want)
	}
}
