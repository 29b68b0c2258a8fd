package nn_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"mlabel/arch"
	"mlabel/nn"
	"mlabel/tensor"
)

// BuildFor accepts the weights of every architecture, plain and fused: the
// sizes it checks before allocating are the ones the layers allocate.
func TestBuildForArchitectures(t *testing.T) {
	for _, name := range arch.Names() {
		t.Run(name, func(t *testing.T) {
			spec, err := arch.Build(name, 32, 3, 5, arch.Options{Width: 4})
			if err != nil {
				t.Fatal(err)
			}
			m, err := nn.Build(spec, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := nn.Load(spec, m.Weights()); err != nil {
				t.Fatalf("plain: %v", err)
			}
			fs, fw, err := nn.Fuse(spec, m.Weights())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := nn.Load(fs, fw); err != nil {
				t.Fatalf("fused: %v", err)
			}
		})
	}
}

// craftedSpec is input → one node → output, with the node given.
func craftedSpec(in []int, n nn.Node) *nn.Spec {
	n.Name, n.Inputs = "x", []string{"in"}
	return &nn.Spec{
		Nodes:   []nn.Node{{Name: "in", Op: nn.OpInput, Attrs: nn.Attrs{Shape: in}}, n},
		Outputs: []string{"x"},
	}
}

// A spec that declares more than its weights hold, or more than the
// parameter limit, is refused before its parameters are allocated: a run
// that allocated them would take terabytes and be killed.
func TestBuildRefusesCraftedSizes(t *testing.T) {
	small := map[string]*tensor.Tensor{"x.weight": tensor.New(3, 3, 3, 8), "x.bias": tensor.New(8)}
	huge := nn.Node{Op: nn.OpConv2D, Attrs: nn.Attrs{Filters: 1 << 20, Kernel: [2]int{1 << 12, 1 << 12}, Bias: true}}
	for _, tc := range []struct {
		name    string
		spec    *nn.Spec
		weights map[string]*tensor.Tensor // nil: Build without weights
		want    string
	}{
		{"huge kernel for small weights", craftedSpec([]int{8, 8, 3}, huge), small, `declared with shape [4096 4096 3 1048576]`},
		{"huge kernel without weights", craftedSpec([]int{8, 8, 3}, huge), nil, "over the limit of 2147483648 parameters"},
		{"missing weight", craftedSpec([]int{8, 8, 3}, nn.Node{Op: nn.OpConv2D, Attrs: nn.Attrs{Filters: 8, Kernel: [2]int{3, 3}, Bias: true}}),
			map[string]*tensor.Tensor{"x.weight": tensor.New(3, 3, 3, 8)}, `"x.bias" (shape [8]) is missing`},
		{"dense over an overflowing input", craftedSpec([]int{1 << 30, 1 << 30, 1 << 30}, nn.Node{Op: nn.OpDense, Attrs: nn.Attrs{Units: 1 << 30}}), nil, "over the limit"},
		{"huge input", craftedSpec([]int{1 << 20, 1 << 20, 3}, nn.Node{Op: nn.OpReLU}), nil, `node "in": output shape`},
		{"huge upsampling", craftedSpec([]int{8, 8, 3}, nn.Node{Op: nn.OpUpsample, Attrs: nn.Attrs{Scale: 1 << 20}}), nil, `node "x": output shape [1 8388608 8388608 3] is over the limit`},
		{"huge batch norm", craftedSpec([]int{1, 1, 1 << 26}, nn.Node{Op: nn.OpBatchNorm}), map[string]*tensor.Tensor{}, `"x.gamma" (shape [67108864]) is missing`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.weights == nil {
				_, err = nn.Build(tc.spec, nil)
			} else {
				_, err = nn.Load(tc.spec, tc.weights)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
