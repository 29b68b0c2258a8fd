package predict

import (
	"context"
	"math"
	"testing"

	"mlabel/arch"
	"mlabel/infer"
	"mlabel/nn"
)

func TestPooledNode(t *testing.T) {
	plain, err := arch.Build("small", 32, 3, 2, arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	withDropout, err := arch.Build("small", 32, 3, 2, arch.Options{Width: 4, Dropout: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	grouped, err := arch.Build("small", 32, 3, 3, arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := nn.AppendGroupSoftmax(grouped, "label_groups", [][]int{{0, 1}}, []bool{false}); err != nil {
		t.Fatal(err)
	}
	noDense := &nn.Spec{Nodes: []nn.Node{{Name: "in", Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{4, 4, 3}}}, {Name: "gap", Op: nn.OpGlobalAvgPool, Inputs: []string{"in"}}}, Outputs: []string{"gap"}}
	for _, tc := range []struct {
		name string
		spec *nn.Spec
		want string
	}{
		{"small", plain, "gap"},
		{"dropout skipped", withDropout, "gap"},
		{"under label groups", grouped, "gap"},
		{"no dense output", noDense, ""},
		{"no output", &nn.Spec{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pooledNode(tc.spec)
			if (err != nil) != (tc.want == "") || got != tc.want {
				t.Errorf("PooledNode = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// The kept features are what the dense head reads: the head applied to them
// gives back each image's scores.
func TestKeepFeaturesFeedTheHead(t *testing.T) {
	p := testPredictor(t)
	if err := p.KeepFeatures(); err != nil {
		t.Fatal(err)
	}
	paths, _ := batchFiles(t)
	s, err := p.ScoreFiles(context.Background(), paths, BatchOptions{Batch: 2, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Features) != len(s.Index) || len(s.Index) == 0 {
		t.Fatalf("%d feature vectors for %d images", len(s.Features), len(s.Index))
	}
	w, bias := p.b.Weights["fc.weight"], p.b.Weights["fc.bias"]
	c, l := w.Shape[0], w.Shape[1]
	for k, f := range s.Features {
		if len(f) != c {
			t.Fatalf("image %d: %d features, the head reads %d", k, len(f), c)
		}
		for j := range l {
			z := float64(bias.Data[j])
			for i := range c {
				z += float64(f[i]) * float64(w.Data[i*l+j])
			}
			if got := infer.Sigmoid(z); math.Abs(got-s.Scores[k][j]) > 1e-5 {
				t.Errorf("image %d label %d: the head on the features gives %v, the score is %v", k, j, got, s.Scores[k][j])
			}
		}
	}
	p2 := testPredictor(t)
	s2, err := p2.ScoreFiles(context.Background(), paths, BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s2.Features != nil {
		t.Errorf("features kept without KeepFeatures")
	}
}
