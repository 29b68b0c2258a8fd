package nn

import (
	"slices"
	"testing"
)

func TestCutPoints(t *testing.T) {
	conv := func(name, in string, filters, stride int) Node {
		return Node{Name: name, Op: OpConv2D, Inputs: []string{in}, Attrs: Attrs{Filters: filters, Kernel: [2]int{3, 3}, Stride: [2]int{stride, stride}, Pad: [4]int{1, 1, 1, 1}}}
	}
	spec := &Spec{Nodes: []Node{
		{Name: "x", Op: OpInput, Attrs: Attrs{Shape: []int{32, 32, 3}}},
		conv("conv_0", "x", 8, 1),
		{Name: "bn_0", Op: OpBatchNorm, Inputs: []string{"conv_0"}},
		{Name: "leaky_0", Op: OpLeakyReLU, Inputs: []string{"bn_0"}, Attrs: Attrs{Alpha: 0.1}},
		{Name: "pool_1", Op: OpMaxPool, Inputs: []string{"leaky_0"}, Attrs: Attrs{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}}},
		conv("conv_2", "pool_1", 16, 2),
		{Name: "relu_2", Op: OpReLU, Inputs: []string{"conv_2"}},
		{Name: "gap", Op: OpGlobalAvgPool, Inputs: []string{"relu_2"}},
		{Name: "fc", Op: OpDense, Inputs: []string{"gap"}, Attrs: Attrs{Units: 2}},
	}, Outputs: []string{"fc"}}
	got, err := CutPoints(spec)
	if err != nil {
		t.Fatal(err)
	}
	want := []CutPoint{
		{"leaky_0", OpLeakyReLU, []int{32, 32, 8}},
		{"pool_1", OpMaxPool, []int{16, 16, 8}},
		{"relu_2", OpReLU, []int{8, 8, 16}},
	}
	if !slices.EqualFunc(got, want, func(a, b CutPoint) bool { return a.Name == b.Name && a.Op == b.Op && slices.Equal(a.Shape, b.Shape) }) {
		t.Errorf("CutPoints = %v, want %v", got, want)
	}
}
