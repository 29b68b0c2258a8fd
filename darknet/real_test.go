package darknet

import (
	"testing"

	"mlabel/darknet/darknettest"
)

func TestImportPretrained(t *testing.T) {
	tests := []struct {
		name, cfg, weights string
		outputs            []string
		tensors            int
		heads              []Head
		shapes             map[string][]int
	}{
		{
			name: "yolov3-tiny", cfg: darknettest.YOLOv3TinyCfg, weights: darknettest.YOLOv3TinyWeights,
			outputs: []string{"conv_15", "conv_22"}, tensors: 13*5 - 2*3,
			heads: []Head{
				{Kind: "yolo", Layer: 16, Output: "conv_15", GridH: 13, GridW: 13, Classes: 80,
					Anchors: [][2]float64{{81, 82}, {135, 169}, {344, 319}}},
				{Kind: "yolo", Layer: 23, Output: "conv_22", GridH: 26, GridW: 26, Classes: 80,
					Anchors: [][2]float64{{10, 14}, {23, 27}, {37, 58}}},
			},
			shapes: map[string][]int{"conv_0.weight": {3, 3, 3, 16}, "conv_21.weight": {3, 3, 384, 256},
				"conv_22.weight": {1, 1, 256, 255}, "conv_22.bias": {255}, "bn_12.running_var": {1024}},
		},
		{
			name: "yolov2-tiny", cfg: darknettest.YOLOv2TinyCfg, weights: darknettest.YOLOv2TinyWeights,
			outputs: []string{"conv_14"}, tensors: 9*5 + 2 - 5,
			heads: []Head{{Kind: "region", Layer: 15, Output: "conv_14", GridH: 13, GridW: 13, Classes: 80, Softmax: true,
				Anchors: [][2]float64{{0.57273, 0.677385}, {1.87446, 2.06253}, {3.33843, 5.47434}, {7.88282, 3.52778}, {9.77052, 9.16828}}}},
			shapes: map[string][]int{"conv_14.weight": {1, 1, 512, 425}, "bn_13.gamma": {512}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := darknettest.Path(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			weights, err := darknettest.Path(tc.weights)
			if err != nil {
				t.Fatal(err)
			}
			spec, w, meta, err := Import(cfg, weights)
			if err != nil {
				t.Fatal(err)
			}
			if meta.Width != 416 || meta.Height != 416 || meta.Channels != 3 || meta.Minor != 2 {
				t.Errorf("meta %+v", meta)
			}
			if len(spec.Outputs) != len(tc.outputs) {
				t.Fatalf("outputs %v, want %v", spec.Outputs, tc.outputs)
			}
			for i, o := range tc.outputs {
				if spec.Outputs[i] != o {
					t.Errorf("output %d = %s, want %s", i, spec.Outputs[i], o)
				}
			}
			if len(w) != tc.tensors {
				t.Errorf("%d tensors, want %d", len(w), tc.tensors)
			}
			if len(meta.Heads) != len(tc.heads) {
				t.Fatalf("heads %+v", meta.Heads)
			}
			for i, h := range tc.heads {
				g := meta.Heads[i]
				if g.Kind != h.Kind || g.Layer != h.Layer || g.Output != h.Output || g.GridH != h.GridH ||
					g.GridW != h.GridW || g.Classes != h.Classes || g.Softmax != h.Softmax || len(g.Anchors) != len(h.Anchors) {
					t.Errorf("head %d = %+v, want %+v", i, g, h)
					continue
				}
				for k := range h.Anchors {
					if g.Anchors[k] != h.Anchors[k] {
						t.Errorf("head %d anchor %d = %v, want %v", i, k, g.Anchors[k], h.Anchors[k])
					}
				}
			}
			for name, shape := range tc.shapes {
				got := w[name]
				if got == nil || len(got.Shape) != len(shape) {
					t.Errorf("%s: %v, want shape %v", name, got, shape)
					continue
				}
				for k := range shape {
					if got.Shape[k] != shape[k] {
						t.Errorf("%s shape %v, want %v", name, got.Shape, shape)
						break
					}
				}
			}
		})
	}
}
