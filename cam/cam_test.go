package cam

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"

	"mlabel/arch"
	"mlabel/nn"
	"mlabel/tensor"
)

// Averaging a label's map and adding the dense bias gives the label's logit:
// global average pooling and the dense layer are linear.
func TestMapsAverageToLogits(t *testing.T) {
	for _, name := range []string{"small", "resnet18", "mobilenetv2"} {
		spec, err := arch.Build(name, 64, 3, 5, arch.Options{Width: 8, WidthMult: 0.25})
		if err != nil {
			t.Fatal(err)
		}
		h, err := FindHead(spec)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		m, err := nn.Build(spec, rng)
		if err != nil {
			t.Fatal(err)
		}
		x := tensor.New(1, 64, 64, 3)
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
		}
		logits, maps, gh, gw, err := Maps(m, h, x)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		bias := m.Param(h.Dense + ".bias").Value.Data
		for j, mp := range maps {
			var sum float64
			for _, v := range mp {
				sum += float64(v)
			}
			got := sum/float64(gh*gw) + float64(bias[j])
			if d := math.Abs(got - float64(logits[j])); d > 1e-4*math.Max(1, math.Abs(float64(logits[j]))) {
				t.Errorf("%s label %d: map mean + bias %v, logit %v", name, j, got, logits[j])
			}
		}
	}
}

func TestFindHeadRefusesOtherHeads(t *testing.T) {
	spec := &nn.Spec{Nodes: []nn.Node{
		{Name: "input", Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{8, 8, 3}}},
		{Name: "flat", Op: nn.OpFlatten, Inputs: []string{"input"}},
		{Name: "fc", Op: nn.OpDense, Inputs: []string{"flat"}, Attrs: nn.Attrs{Units: 2}},
	}, Outputs: []string{"fc"}}
	if _, err := FindHead(spec); err == nil {
		t.Fatal("found a CAM head in a flatten+dense network")
	}
}

func TestOverlayMarksThePeak(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 40))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	values := make([]float32, 4*4)
	values[2*4+3] = 5 // row 2, column 3: image pixels x 30..39, y 20..29
	out, err := Overlay(img, values, 4, 4, 0.6)
	if err != nil {
		t.Fatal(err)
	}
	if out.Bounds() != img.Bounds() {
		t.Fatalf("overlay %v, image %v", out.Bounds(), img.Bounds())
	}
	hot := out.RGBAAt(35, 25)
	cold := out.RGBAAt(5, 5)
	if !(hot.R > cold.R && hot.B < cold.B) {
		t.Errorf("peak %v is not redder than elsewhere %v", hot, cold)
	}
	if _, err := Overlay(img, values[:3], 4, 4, 0.5); err == nil {
		t.Error("accepted a map of the wrong size")
	}
	if c := colormap(1); !(c.R > 100 && c.G == 0 && c.B == 0) {
		t.Errorf("hottest colour %v is not red", c)
	}
	if c := colormap(0); !(c.B > 100 && c.R == 0 && c.G == 0) {
		t.Errorf("coldest colour %v is not blue", c)
	}
}

// Under the label groups' softmax the head is the dense layer it reads.
func TestFindHeadUnderLabelGroups(t *testing.T) {
	spec := &nn.Spec{Nodes: []nn.Node{
		{Name: "input", Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{8, 8, 3}}},
		{Name: "gap", Op: nn.OpGlobalAvgPool, Inputs: []string{"input"}},
		{Name: "fc", Op: nn.OpDense, Inputs: []string{"gap"}, Attrs: nn.Attrs{Units: 3}},
	}, Outputs: []string{"fc"}}
	if err := nn.AppendGroupSoftmax(spec, "label_groups", [][]int{{0, 1}}, []bool{false}); err != nil {
		t.Fatal(err)
	}
	h, err := FindHead(spec)
	if err != nil || h != (Head{Feature: "input", Dense: "fc"}) {
		t.Fatalf("FindHead = %+v, %v; want the input under fc", h, err)
	}
}
