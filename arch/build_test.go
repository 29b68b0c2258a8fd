package arch

import (
	"math/rand/v2"
	"testing"
	"time"

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

// TestFrozenBackboneSkipsBackward trains only a new head on a ResNet
// backbone: no backbone layer may run its backward pass.
func TestFrozenBackboneSkipsBackward(t *testing.T) {
	r, err := Build("resnet18", 32, 3, 10, Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Head(r, "layer3.1", 3)
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(s, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if n := m.Freeze(""); n != len(m.Params()) {
		t.Fatalf("Freeze(\"\") matched %d of %d", n, len(m.Params()))
	}
	if n := m.Unfreeze("head."); n != 2 {
		t.Fatalf("Unfreeze(head.) matched %d, want 2", n)
	}
	var ran []string
	m.SetTimer(func(n nn.Node, backward bool, _ time.Duration) {
		if backward {
			ran = append(ran, n.Name)
		}
	})
	if _, err := m.Forward(tensor.New(2, 32, 32, 3), true); err != nil {
		t.Fatal(err)
	}
	g := tensor.New(2, 3)
	g.Data[0] = 1
	if err := m.Backward(g); err != nil {
		t.Fatal(err)
	}
	if len(ran) != 1 || ran[0] != "head" {
		t.Errorf("backward ran on %v, want only head", ran)
	}
	if got := m.Param("head.bias").Grad.Data[0]; got != 1 {
		t.Errorf("head.bias gradient %v, want 1", got)
	}
}
