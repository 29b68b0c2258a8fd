package nn

import (
	"slices"
	"testing"
)

func classifierSpec() *Spec {
	return &Spec{
		Nodes: []Node{
			{Name: "x", Op: OpInput, Attrs: Attrs{Shape: []int{8, 8, 3}}},
			{Name: "conv", Op: OpConv2D, Inputs: []string{"x"}, Attrs: Attrs{Filters: 4, Kernel: [2]int{3, 3}, Pad: [4]int{1, 1, 1, 1}}},
			{Name: "bn", Op: OpBatchNorm, Inputs: []string{"conv"}},
			{Name: "relu", Op: OpReLU, Inputs: []string{"bn"}},
			{Name: "side", Op: OpReLU, Inputs: []string{"x"}},
			{Name: "gap", Op: OpGlobalAvgPool, Inputs: []string{"relu"}},
			{Name: "drop", Op: OpDropout, Inputs: []string{"gap"}, Attrs: Attrs{Rate: 0.5}},
			{Name: "fc", Op: OpDense, Inputs: []string{"drop"}, Attrs: Attrs{Units: 2, Bias: true}},
		},
		Outputs: []string{"fc", "side"},
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		at   string
		want []string
	}{
		{"relu", []string{"x", "conv", "bn", "relu"}},
		{"x", []string{"x"}},
		{"fc", []string{"x", "conv", "bn", "relu", "gap", "drop", "fc"}},
	}
	for _, tc := range tests {
		t.Run(tc.at, func(t *testing.T) {
			s, err := Cut(classifierSpec(), tc.at)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, n := range s.Nodes {
				names = append(names, n.Name)
			}
			if !slices.Equal(names, tc.want) || !slices.Equal(s.Outputs, []string{tc.at}) {
				t.Errorf("nodes %v outputs %v, want %v and [%s]", names, s.Outputs, tc.want, tc.at)
			}
		})
	}
	if _, err := Cut(classifierSpec(), "nope"); err == nil {
		t.Error("cut at a missing node: no error")
	}
}

func TestLastFeatureMap(t *testing.T) {
	got, err := LastFeatureMap(classifierSpec())
	if err != nil || got != "relu" {
		t.Errorf("LastFeatureMap = %q, %v; want relu", got, err)
	}
	s, _ := Cut(classifierSpec(), "relu")
	if _, err := LastFeatureMap(s); err == nil {
		t.Error("a graph without pooling: no error")
	}
}
