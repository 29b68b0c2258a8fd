package darknet

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"mlabel/darknet/darknettest"
	"mlabel/nn"
	"mlabel/tensor"
)

// TestForwardMatchesPyTorch runs the imported yolov3-tiny on a synthetic
// 128×128 input (the network is fully convolutional) and compares its raw
// head outputs with an independent PyTorch implementation of Darknet's
// forward pass (testdata/gen.py): conv in OIHW, batch norm as
// (x - mean)/(sqrt(var) + 1e-6), maxpool padded with -inf on the right and
// bottom, route as concatenation, nearest upsampling.
func TestForwardMatchesPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/yolov3tiny_128.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Size  int `json:"size"`
		Heads []struct {
			Shape  []int     `json:"shape"`
			Index  []int     `json:"index"`
			Value  []float64 `json:"value"`
			SumAbs float64   `json:"sum_abs"`
		} `json:"heads"`
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	cfg, err := darknettest.Path(darknettest.YOLOv3TinyCfg)
	if err != nil {
		t.Fatal(err)
	}
	weights, err := darknettest.Path(darknettest.YOLOv3TinyWeights)
	if err != nil {
		t.Fatal(err)
	}
	spec, w, meta, err := Import(cfg, weights)
	if err != nil {
		t.Fatal(err)
	}
	n := golden.Size
	spec.Nodes[0].Attrs.Shape = []int{n, n, 3}
	model, err := nn.Build(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if err := model.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(1, n, n, 3)
	for h := range n {
		for wi := range n {
			for c := range 3 {
				x.Data[(h*n+wi)*3+c] = float32(0.5 + 0.5*math.Sin(0.05*float64(h)+0.07*float64(wi)+float64(c)))
			}
		}
	}
	if _, err := model.Forward(x, false); err != nil {
		t.Fatal(err)
	}
	if len(golden.Heads) != len(meta.Heads) {
		t.Fatalf("%d golden heads, model has %d", len(golden.Heads), len(meta.Heads))
	}
	for k, g := range golden.Heads {
		out := model.Activation(meta.Heads[k].Output)
		if !tensor.SameShape(out.Shape, g.Shape) {
			t.Fatalf("head %d shape %v, want %v", k, out.Shape, g.Shape)
		}
		worst := 0.0
		for j, idx := range g.Index {
			d := math.Abs(float64(out.Data[idx])-g.Value[j]) / math.Max(math.Abs(g.Value[j]), 1)
			worst = math.Max(worst, d)
		}
		sum := 0.0
		for _, v := range out.Data {
			sum += math.Abs(float64(v))
		}
		t.Logf("head %d: worst relative difference %.2g over %d samples; sum |x| %g vs %g", k, worst, len(g.Index), sum, g.SumAbs)
		if worst > 1e-4 {
			t.Errorf("head %d: outputs differ from PyTorch by %.2g relative", k, worst)
		}
		if math.Abs(sum-g.SumAbs) > 1e-4*g.SumAbs {
			t.Errorf("head %d: sum |x| = %g, want %g", k, sum, g.SumAbs)
		}
	}
}
