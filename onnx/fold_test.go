package onnx

import (
	"math"
	"testing"

	"mlabel/nn"
	"mlabel/onnx/onnxpb"
	"mlabel/tensor"
)

// TestRewrites checks importer rewrites and older opsets: each model must
// produce the engine ops listed and the same outputs as the reference model
// (or function).
func TestRewrites(t *testing.T) {
	x4 := randTensor(20, 2, 3, 6, 6)
	x2 := randTensor(21, 2, 12)
	w := randData(22, 12*5)
	wt := make([]float32, len(w)) // [5,12] for gemmRef
	for i := range 12 {
		for o := range 5 {
			wt[o*12+i] = w[i*5+o]
		}
	}
	bias := randData(23, 5)
	seW := randData(24, 9)
	pooled := tensor.New(2, 3)
	for i, v := range x4.Data {
		pooled.Data[i/36] += v / 36
	}
	g4 := func(opset int64, nodes ...*onnxpb.NodeProto) graphSpec {
		return graphSpec{input: []int64{2, 3, 6, 6}, nodes: nodes, outputs: []string{"y"}, opset: opset}
	}
	tests := []struct {
		name string
		g    graphSpec
		x    *tensor.Tensor
		ops  map[nn.Op]int
		want *tensor.Tensor // reference output, or
		same *graphSpec     // a reference model
	}{
		{
			name: "Clip attributes before opset 11",
			g:    g4(10, node("Clip", []string{"x"}, []string{"y"}, attrFloat("min", 0), attrFloat("max", 6))),
			x:    x4, ops: map[nn.Op]int{nn.OpReLU6: 1},
			want: elementwise(x4, func(v float32, _ int) float32 { return min(max(v, 0), 6) }),
		},
		{
			name: "x times sigmoid(x) becomes SiLU",
			g:    g4(13, node("Sigmoid", []string{"x"}, []string{"s"}), node("Mul", []string{"x", "s"}, []string{"y"})),
			x:    x4, ops: map[nn.Op]int{nn.OpSiLU: 1, nn.OpSigmoid: 0, nn.OpMul: 0},
			want: elementwise(x4, func(v float32, _ int) float32 { return v / (1 + float32(math.Exp(-float64(v)))) }),
		},
		{
			name: "x times sigmoid(x) feeding more than the product stays a product",
			g: g4(13, node("Sigmoid", []string{"x"}, []string{"s"}), node("Mul", []string{"x", "s"}, []string{"m"}),
				node("Add", []string{"m", "s"}, []string{"y"})),
			x: x4, ops: map[nn.Op]int{nn.OpSiLU: 0, nn.OpSigmoid: 1, nn.OpMul: 1},
			want: elementwise(x4, func(v float32, _ int) float32 {
				s := 1 / (1 + float32(math.Exp(-float64(v))))
				return v*s + s
			}),
		},
		{
			name: "MatMul then Add becomes one dense layer",
			g: graphSpec{input: []int64{-1, 12}, nodes: []*onnxpb.NodeProto{
				node("MatMul", []string{"x", "W"}, []string{"m"}), node("Add", []string{"m", "B"}, []string{"y"})},
				inits: []*onnxpb.TensorProto{floatInit("W", w, 12, 5), floatInit("B", bias, 5)}, outputs: []string{"y"}},
			x: x2, ops: map[nn.Op]int{nn.OpDense: 1, nn.OpScaleShift: 0},
			want: gemmRef(x2, wt, bias, 5),
		},
		{
			name: "ReduceMean over H and W",
			g:    g4(13, node("ReduceMean", []string{"x"}, []string{"y"}, attrInts("axes", 2, 3), attrInt("keepdims", 0))),
			x:    x4, ops: map[nn.Op]int{nn.OpGlobalAvgPool: 1},
			want: pooled,
		},
		{
			name: "Pad attributes (opset 2) fold into an average pool counting padding",
			g: g4(7, node("Pad", []string{"x"}, []string{"p"}, attrInts("pads", 0, 0, 1, 1, 0, 0, 1, 1)),
				node("AveragePool", []string{"p"}, []string{"y"}, attrInts("kernel_shape", 3, 3), attrInt("count_include_pad", 1))),
			x: x4, ops: map[nn.Op]int{nn.OpAvgPool: 1, nn.OpConv2D: 0},
			same: &graphSpec{input: []int64{2, 3, 6, 6}, opset: 7, outputs: []string{"y"}, nodes: []*onnxpb.NodeProto{
				node("AveragePool", []string{"x"}, []string{"y"}, attrInts("kernel_shape", 3, 3), attrInt("count_include_pad", 1), attrInts("pads", 1, 1, 1, 1))}},
		},
		{
			name: "Squeeze-excitation: a pooled [N,C,1,1] gate multiplies the feature map",
			g: g4(13, node("GlobalAveragePool", []string{"x"}, []string{"p"}),
				node("Conv", []string{"p", "W"}, []string{"c"}), node("Sigmoid", []string{"c"}, []string{"s"}),
				node("Mul", []string{"s", "x"}, []string{"y"})),
			x: x4, ops: map[nn.Op]int{nn.OpDense: 1, nn.OpMul: 1},
			want: func() *tensor.Tensor {
				gate := gemmRef(pooled, seW, make([]float32, 3), 3)
				y := x4.Clone()
				for i := range y.Data {
					g := float64(gate.Data[i/36])
					y.Data[i] *= float32(1 / (1 + math.Exp(-g)))
				}
				return y
			}(),
		},
		{
			name: "Pad before a max pool is applied as a padding convolution",
			g: g4(13, node("Pad", []string{"x", "pads"}, []string{"p"}),
				node("MaxPool", []string{"p"}, []string{"y"}, attrInts("kernel_shape", 2, 2), attrInts("strides", 2, 2))),
			x: x4, ops: map[nn.Op]int{nn.OpMaxPool: 1, nn.OpConv2D: 1},
			want: func() *tensor.Tensor { // max over 2x2 windows of x zero-padded by 1 on top and left
				y := tensor.New(2, 3, 4, 4)
				for i := range y.Data {
					nc, oy, ox := i/16, (i/4)%4, i%4
					m := float32(-1e30)
					for dy := range 2 {
						for dx := range 2 {
							iy, ix := oy*2+dy-1, ox*2+dx-1
							v := float32(0)
							if iy >= 0 && ix >= 0 && iy < 6 && ix < 6 {
								v = x4.Data[nc*36+iy*6+ix]
							}
							m = max(m, v)
						}
					}
					y.Data[i] = m
				}
				return y
			}(),
		},
	}
	tests[6].g.inits = []*onnxpb.TensorProto{floatInit("W", seW, 3, 3, 1, 1)}
	tests[7].g.inits = []*onnxpb.TensorProto{intInit("pads", []int64{0, 0, 1, 1, 0, 0, 1, 1}, 8)}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runSpec(t, tc.g, tc.x)
			m, _ := importSpec(t, tc.g, Options{})
			n := countOps(m.Spec)
			for op, want := range tc.ops {
				if n[op] != want {
					t.Errorf("%d %s nodes, want %d (ops %v)", n[op], op, want, n)
				}
			}
			want := tc.want
			if tc.same != nil {
				want = runSpec(t, *tc.same, tc.x)
			}
			assertClose(t, got, want, 1e-5)
		})
	}
}

// runSpec imports g and returns its first output on x.
func runSpec(t *testing.T, g graphSpec, x *tensor.Tensor) *tensor.Tensor {
	t.Helper()
	m, err := importSpec(t, g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := forward(m, x)
	if err != nil {
		t.Fatal(err)
	}
	return outs[0]
}
