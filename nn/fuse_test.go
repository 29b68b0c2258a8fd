package nn

import (
	"slices"
	"testing"

	"mlabel/tensor"
)

func bnWeights(name string, c int) map[string]*tensor.Tensor {
	w := map[string]*tensor.Tensor{}
	for i, p := range []string{"gamma", "beta", "running_mean", "running_var"} {
		t := tensor.New(c)
		for k := range t.Data {
			t.Data[k] = float32(i+1) * 0.5
		}
		w[name+"."+p] = t
	}
	return w
}

func TestFuseStructure(t *testing.T) {
	conv := Node{Name: "conv", Op: OpConv2D, Inputs: []string{"x"}, Attrs: Attrs{Filters: 2, Kernel: [2]int{1, 1}}}
	in := Node{Name: "x", Op: OpInput, Attrs: Attrs{Shape: []int{4, 4, 1}}}
	tests := []struct {
		name      string
		spec      *Spec
		wantNodes []string
		wantOut   []string
		wantAct   Op
	}{
		{
			name: "conv bn relu dropout",
			spec: &Spec{Nodes: []Node{in, conv,
				{Name: "bn", Op: OpBatchNorm, Inputs: []string{"conv"}},
				{Name: "relu", Op: OpReLU6, Inputs: []string{"bn"}},
				{Name: "drop", Op: OpDropout, Inputs: []string{"relu"}, Attrs: Attrs{Rate: 0.5}},
			}, Outputs: []string{"drop"}},
			wantNodes: []string{"x", "conv"}, wantOut: []string{"conv"}, wantAct: OpReLU6,
		},
		{
			name: "conv read twice keeps its bn",
			spec: &Spec{Nodes: []Node{in, conv,
				{Name: "bn", Op: OpBatchNorm, Inputs: []string{"conv"}},
				{Name: "sum", Op: OpAdd, Inputs: []string{"bn", "conv"}},
				{Name: "relu", Op: OpReLU, Inputs: []string{"sum"}},
			}, Outputs: []string{"relu"}},
			wantNodes: []string{"x", "conv", "bn", "sum"}, wantOut: []string{"sum"},
		},
		{
			name: "output conv is not fused",
			spec: &Spec{Nodes: []Node{in, conv,
				{Name: "bn", Op: OpBatchNorm, Inputs: []string{"conv"}},
			}, Outputs: []string{"bn", "conv"}},
			wantNodes: []string{"x", "conv", "bn"}, wantOut: []string{"bn", "conv"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := bnWeights("bn", 2)
			w["conv.weight"] = tensor.New(1, 1, 1, 2)
			w["conv.weight"].Data[0], w["conv.weight"].Data[1] = 1, 2
			orig := tc.spec.Clone()
			s, fw, err := Fuse(tc.spec, w)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, n := range s.Nodes {
				names = append(names, n.Name)
			}
			if !slices.Equal(names, tc.wantNodes) || !slices.Equal(s.Outputs, tc.wantOut) {
				t.Errorf("nodes %v outputs %v, want %v and %v", names, s.Outputs, tc.wantNodes, tc.wantOut)
			}
			if c, _ := s.Node("conv"); c.Attrs.Act != tc.wantAct {
				t.Errorf("conv act %q, want %q", c.Attrs.Act, tc.wantAct)
			}
			if _, folded := fw["conv.bias"]; folded == slices.Contains(names, "bn") {
				t.Errorf("conv bias present %v with bn kept %v", folded, slices.Contains(names, "bn"))
			}
			if a, _ := orig.MarshalIndent(); string(a) != string(must(tc.spec.MarshalIndent())) || w["conv.weight"].Data[1] != 2 {
				t.Error("Fuse modified its arguments")
			}
		})
	}
}

func TestFuseFoldValues(t *testing.T) {
	s := &Spec{Nodes: []Node{
		{Name: "x", Op: OpInput, Attrs: Attrs{Shape: []int{4, 4, 1}}},
		{Name: "conv", Op: OpConv2D, Inputs: []string{"x"}, Attrs: Attrs{Filters: 1, Kernel: [2]int{1, 1}, Bias: true}},
		{Name: "bn", Op: OpBatchNorm, Inputs: []string{"conv"}, Attrs: Attrs{Eps: 0.25}},
	}, Outputs: []string{"bn"}}
	w := bnWeights("bn", 1) // gamma 0.5, beta 1, mean 1.5, var 2
	w["conv.weight"], _ = tensor.FromData([]float32{3}, 1, 1, 1, 1)
	w["conv.bias"], _ = tensor.FromData([]float32{2}, 1)
	_, fw, err := Fuse(s, w)
	if err != nil {
		t.Fatal(err)
	}
	// scale = 0.5/sqrt(2.25) = 1/3: weight 1, bias (2-1.5)/3 + 1.
	if got := fw["conv.weight"].Data[0]; abs32(got-1) > 1e-6 {
		t.Errorf("folded weight %v, want 1", got)
	}
	if got := fw["conv.bias"].Data[0]; abs32(got-(0.5/3+1)) > 1e-6 {
		t.Errorf("folded bias %v, want %v", got, 0.5/3+1)
	}
	if _, ok := fw["bn.gamma"]; ok {
		t.Error("batch-norm weights kept")
	}
	delete(w, "bn.running_var")
	if _, _, err := Fuse(s, w); err == nil {
		t.Error("missing running_var: no error")
	}
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// A LeakyReLU that fuses takes its slope into the producer; the other
// activations leave the producer's Alpha alone.
func TestFuseCarriesActivationAttrs(t *testing.T) {
	in := Node{Name: "x", Op: OpInput, Attrs: Attrs{Shape: []int{4, 4, 1}}}
	conv := Node{Name: "conv", Op: OpConv2D, Inputs: []string{"x"}, Attrs: Attrs{Filters: 2, Kernel: [2]int{1, 1}}}
	for _, tc := range []struct {
		act       Node
		wantAlpha float64
	}{
		{Node{Name: "a", Op: OpLeakyReLU, Inputs: []string{"conv"}, Attrs: Attrs{Alpha: 0.2}}, 0.2},
		{Node{Name: "a", Op: OpReLU, Inputs: []string{"conv"}, Attrs: Attrs{Alpha: 0.2}}, 0},
	} {
		t.Run(string(tc.act.Op), func(t *testing.T) {
			s, _, err := Fuse(&Spec{Nodes: []Node{in, conv, tc.act}, Outputs: []string{"a"}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			c, ok := s.Node("conv")
			if !ok || len(s.Nodes) != 2 || c.Attrs.Act != tc.act.Op || c.Attrs.Alpha != tc.wantAlpha {
				t.Errorf("fused conv %+v (nodes %d), want act %s alpha %g", c.Attrs, len(s.Nodes), tc.act.Op, tc.wantAlpha)
			}
		})
	}
}
