package arch

import (
	"math/rand/v2"
	"testing"

	"mlabel/nn"
	"mlabel/tensor"
)

// TestParamCounts checks the architectures against torchvision's parameter
// counts for 1000 classes, and that they run.
func TestParamCounts(t *testing.T) {
	tests := []struct {
		name       string
		want       int
		macs224Min float64 // torchvision's multiply-adds at 224 px, ±1%
	}{
		{"resnet18", 11_689_512, 1.814e9},
		{"resnet34", 21_797_672, 3.664e9},
		{"mobilenetv2", 3_504_872, 0.301e9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Build(tc.name, 224, 3, 1000, Options{})
			if err != nil {
				t.Fatal(err)
			}
			m, err := nn.Build(s, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if got := m.NumParams(); got != tc.want {
				t.Errorf("%d parameters, torchvision has %d", got, tc.want)
			}
			macs := float64(m.FLOPs(224, 224)) / 2
			if macs < 0.99*tc.macs224Min || macs > 1.01*tc.macs224Min {
				t.Errorf("%.4g multiply-adds at 224 px, want about %.4g", macs, tc.macs224Min)
			}
		})
	}
}

func TestForwardShapes(t *testing.T) {
	tests := []struct {
		name string
		size int
		opt  Options
	}{
		{"small", 32, Options{Width: 4}},
		{"resnet18", 32, Options{Width: 4}},
		{"mobilenetv2", 32, Options{WidthMult: 0.25, Dropout: 0.2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Build(tc.name, tc.size, 3, 3, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			m, err := nn.Build(s, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			for _, train := range []bool{true, false} {
				y, err := m.Forward(tensor.New(2, tc.size, tc.size, 3), train)
				if err != nil {
					t.Fatal(err)
				}
				if !tensor.SameShape(y.Shape, []int{2, 3}) {
					t.Errorf("output shape %v, want [2 3]", y.Shape)
				}
			}
			if m.NumLabels() != 3 {
				t.Errorf("NumLabels = %d", m.NumLabels())
			}
		})
	}
}
