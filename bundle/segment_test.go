package bundle

import (
	"strings"
	"testing"

	"mlabel/metrics"
	"mlabel/nn"
)

// A segmenter's network gives one logit per pixel and label and it has a
// pixel threshold; the model is refused otherwise.
func TestSegmenterOutputs(t *testing.T) {
	spec := func(filters, pool int) *nn.Spec {
		s := &nn.Spec{Nodes: []nn.Node{
			{Name: "input", Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{4, 4, 3}}},
			{Name: "conv", Op: nn.OpConv2D, Inputs: []string{"input"}, Attrs: nn.Attrs{Filters: filters, Kernel: [2]int{1, 1}, Bias: true}},
		}, Outputs: []string{"conv"}}
		if pool > 0 {
			s.Nodes = append(s.Nodes, nn.Node{Name: "pool", Op: nn.OpMaxPool, Inputs: []string{"conv"}, Attrs: nn.Attrs{Kernel: [2]int{pool, pool}}})
			s.Outputs = []string{"pool"}
		}
		return s
	}
	tests := []struct {
		name    string
		spec    *nn.Spec
		segment *metrics.Segmentation
		want    string
	}{
		{"ok", spec(2, 0), &metrics.Segmentation{PixelThreshold: 0.5}, ""},
		{"labels", spec(3, 0), &metrics.Segmentation{PixelThreshold: 0.5}, "one score per pixel and label"},
		{"pooled", spec(2, 2), &metrics.Segmentation{PixelThreshold: 0.5}, "one score per pixel and label"},
		{"no threshold", spec(2, 0), nil, "pixel threshold"},
		{"threshold 1", spec(2, 0), &metrics.Segmentation{PixelThreshold: 1}, "pixel threshold"},
		{"per label", spec(2, 0), &metrics.Segmentation{PixelThreshold: 0.5, PixelThresholds: []float64{0.3, 0.7}, Scale: 3}, ""},
		{"thresholds for 1 of 2 labels", spec(2, 0), &metrics.Segmentation{PixelThreshold: 0.5, PixelThresholds: []float64{0.3}}, "1 pixel thresholds for 2 labels"},
		{"label threshold 0", spec(2, 0), &metrics.Segmentation{PixelThreshold: 0.5, PixelThresholds: []float64{0.3, 0}}, "label 2 is 0"},
		{"negative scale", spec(2, 0), &metrics.Segmentation{PixelThreshold: 0.5, Scale: -1}, "scale -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := nn.Build(tc.spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			b := &Bundle{Header: Header{Kind: KindSegmenter, Spec: tc.spec, Labels: []string{"a", "b"}, Segment: tc.segment}, Weights: m.Weights()}
			_, err = b.Model()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
