package loss

import (
	"math"
	"testing"

	"mlabel/infer"
	"mlabel/tensor"
)

func TestSmoothedMovesTargetsTowardHalf(t *testing.T) {
	cases := []struct {
		name string
		eps  float64
		y    float32
		want float64 // probability at which the gradient vanishes
	}{
		{"positive, 0.1", 0.1, 1, 0.95},
		{"negative, 0.1", 0.1, 0, 0.05},
		{"positive, none", 0, 1, 1},
		{"positive, 0.2", 0.2, 1, 0.9},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := NewSmoothed(NewBCE(nil), c.eps)
			if err != nil {
				t.Fatal(err)
			}
			y := mustTensor(t, []float32{c.y}, []int{1, 1})
			// The BCE gradient at logit x is σ(x) − target: the smoothed
			// target is where it vanishes, and at x = 0 it is ½ − target.
			x := mustTensor(t, []float32{0}, []int{1, 1})
			g := tensor.New(1, 1)
			if _, err := s.Compute(x, y, nil, g); err != nil {
				t.Fatal(err)
			}
			if got := 0.5 - float64(g.Data[0]); math.Abs(got-c.want) > 1e-6 {
				t.Errorf("target %g, want %g", got, c.want)
			}
			if c.want < 1 {
				logit := math.Log(c.want / (1 - c.want))
				x.Data[0] = float32(logit)
				if _, err := s.Compute(x, y, nil, g); err != nil {
					t.Fatal(err)
				}
				if math.Abs(float64(g.Data[0])) > 1e-6 {
					t.Errorf("gradient %g at σ⁻¹(%g), want 0", g.Data[0], c.want)
				}
			}
			if y.Data[0] != c.y {
				t.Errorf("the caller's target changed to %g", y.Data[0])
			}
		})
	}
}

func TestSmoothedKeepsUnknownsAndMatchesSmoothedTargets(t *testing.T) {
	x := mustTensor(t, []float32{2, -1, 0.5, 3}, []int{2, 2})
	y := mustTensor(t, []float32{1, 0, 1, 0}, []int{2, 2})
	m := mustTensor(t, []float32{1, 1, 0, 1}, []int{2, 2})
	s, err := NewSmoothed(NewBCE(nil), 0.1)
	if err != nil {
		t.Fatal(err)
	}
	g := tensor.New(2, 2)
	got, err := s.Compute(x, y, m, g)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for i, xi := range x.Data {
		if m.Data[i] == 0 {
			if g.Data[i] != 0 {
				t.Errorf("unknown element %d has gradient %g", i, g.Data[i])
			}
			continue
		}
		ys := float64(y.Data[i])*0.9 + 0.05
		want += (ys*softplus(-float64(xi)) + (1-ys)*softplus(float64(xi))) / 3
		if dl := (infer.Sigmoid(float64(xi)) - ys) / 3; math.Abs(float64(g.Data[i])-dl) > 1e-6 {
			t.Errorf("element %d: gradient %g, want %g", i, g.Data[i], dl)
		}
	}
	if math.Abs(got-want) > 1e-6 {
		t.Errorf("loss %g, want %g", got, want)
	}
}

func TestNewSmoothedRefusesBadSettings(t *testing.T) {
	for _, eps := range []float64{-0.1, 1, 1.5} {
		if _, err := NewSmoothed(NewBCE(nil), eps); err == nil {
			t.Errorf("eps %g accepted", eps)
		}
	}
	if _, err := NewSmoothed(nil, 0.1); err == nil {
		t.Error("a missing inner loss accepted")
	}
}
